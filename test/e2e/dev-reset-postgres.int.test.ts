import assert from 'node:assert/strict';
import { it } from 'node:test';
import { CreateGrantCommand, CreateKeyCommand, DescribeKeyCommand, ListAliasesCommand } from '@aws-sdk/client-kms';
import { callOperation } from '../../src/cli/client.js';
import { readSeedFile } from '../../src/server/dev-seed.js';
import { startInProcess } from '../helpers/in-process.js';
import { expectKmsError, kmsClient } from '../helpers/kms-client.js';
import { describeWithPostgres } from '../helpers/postgres.js';
import { REPO_ROOT } from '../helpers/server.js';
import { join } from 'node:path';

describeWithPostgres('arca dev --storage postgres: reset and seed (issue 20)', (cluster) => {
  it('POST /moto-api/reset empties a PostgreSQL store (keys, grants, principals) and seeds it again', async () => {
    const url = cluster().url(await cluster().createDatabase());
    const s = await startInProcess({ storage: { type: 'postgres', url }, regions: 'any', devMode: { seed: readSeedFile(join(REPO_ROOT, 'test', 'fixtures', 'dev-seed.yaml')) } });
    try {
      const kms = kmsClient(s);
      const admin = { endpoint: s.endpoint, region: 'us-east-1', credentials: s.credentials };
      const extra = (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.KeyId;
      await callOperation(admin, 'ArcaService.CreatePrincipal', { PrincipalName: 'grantee' });
      await kms.send(new CreateGrantCommand({ KeyId: extra, GranteePrincipal: 'arn:aws:iam::111122223333:user/grantee', Operations: ['Encrypt'] }));
      const res = await fetch(`${s.endpoint}/moto-api/reset`, { method: 'POST' });
      assert.equal(res.status, 200, await res.text());
      await expectKmsError(kms.send(new DescribeKeyCommand({ KeyId: extra })), 'NotFoundException');
      const aliases = ((await kms.send(new ListAliasesCommand({}))).Aliases ?? []).map((a) => a.AliasName).sort();
      assert.deepEqual(aliases, ['alias/known-material', 'alias/orders', 'alias/signer']);
      const names = ((await callOperation(admin, 'ArcaService.ListPrincipals', {}))['Principals'] as { PrincipalName: string }[]).map((p) => p.PrincipalName).sort();
      assert.deepEqual(names, ['admin', 'ci-app']);
    } finally {
      await s.close();
    }
  });
});
