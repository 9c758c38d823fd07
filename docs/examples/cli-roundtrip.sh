#!/usr/bin/env bash
# Round trip through the AWS CLI v2. Run `npm start` first, then: bash docs/examples/cli-roundtrip.sh
set -euo pipefail
source "${ARCA_DATA_DIR:-.arca-dev}/credentials.env"
kms() { aws --endpoint-url "$ARCA_ENDPOINT" kms "$@"; }

KEY_ID=$(kms create-key --description "my first Arca key" --query KeyMetadata.KeyId --output text)
kms create-alias --alias-name "alias/example-$KEY_ID" --target-key-id "$KEY_ID"

printf 'hello, arca' > /tmp/arca-example.txt
kms encrypt --key-id "alias/example-$KEY_ID" --plaintext fileb:///tmp/arca-example.txt \
  --encryption-context purpose=example --query CiphertextBlob --output text | base64 -d > /tmp/arca-example.enc
kms decrypt --ciphertext-blob fileb:///tmp/arca-example.enc --encryption-context purpose=example \
  --query Plaintext --output text | base64 -d
echo
