import { useEffect, useState } from 'react';
import { Link, Route, Router, Switch } from 'wouter';
import { useHashLocation } from 'wouter/use-hash-location';
import { DEFAULT_CONFIG, loadConsoleConfig, type ConsoleConfig } from './api/console-config';
import { SessionClock } from './auth/SessionClock';
import { SessionProvider, useSession } from './auth/session';
import { AuditChain } from './views/audit/AuditChain';
import { AuditSearch } from './views/audit/AuditSearch';
import { CreateKey } from './views/keys/CreateKey';
import { KeyDetail } from './views/keys/KeyDetail';
import { KeysList } from './views/keys/KeysList';
import { Alerts } from './views/ops/Alerts';
import { Approvals } from './views/ops/Approvals';
import { Principals } from './views/ops/Principals';
import { Status } from './views/ops/Status';
import { SignIn } from './views/SignIn';

/** The navigation, in the order a security team looks: keys, then what happened, then what needs doing. */
const NAV: readonly { path: string; label: string }[] = [
  { path: '/keys', label: 'Keys' },
  { path: '/audit', label: 'Audit events' },
  { path: '/audit/chain', label: 'Audit chain' },
  { path: '/alerts', label: 'Alerts' },
  { path: '/approvals', label: 'Approvals' },
  { path: '/principals', label: 'Principals' },
  { path: '/status', label: 'Status' },
];

function Shell() {
  const { session, signOut } = useSession();
  const [location] = useHashLocation();
  if (session === undefined) return <SignIn />;
  return (
    <div className="shell">
      <a className="skip-link" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Arca</span>
        <span className="who" title={session.principalArn}>{session.principalArn}</span>
        <SessionClock />
        <button type="button" onClick={() => signOut('You signed out.')}>Sign out</button>
      </header>
      <nav className="sidenav" aria-label="Main">
        <ul>
          {NAV.map((n) => (
            <li key={n.path}>
              <Link href={n.path} aria-current={location === n.path || (n.path !== '/audit' && location.startsWith(`${n.path}/`)) ? 'page' : undefined}>
                {n.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        <Switch>
          <Route path="/keys/new"><CreateKey /></Route>
          <Route path="/keys/:keyId">{(p) => <KeyDetail keyId={decodeURIComponent(p.keyId)} />}</Route>
          <Route path="/audit/chain"><AuditChain /></Route>
          <Route path="/audit"><AuditSearch /></Route>
          <Route path="/alerts"><Alerts /></Route>
          <Route path="/approvals/:approvalId">{(p) => <Approvals key={p.approvalId} approvalId={decodeURIComponent(p.approvalId)} />}</Route>
          <Route path="/approvals"><Approvals /></Route>
          <Route path="/principals"><Principals /></Route>
          <Route path="/status"><Status /></Route>
          <Route><KeysList /></Route>
        </Switch>
      </main>
    </div>
  );
}

export function App() {
  const [config, setConfig] = useState<ConsoleConfig | undefined>(undefined);
  useEffect(() => void loadConsoleConfig().then(setConfig, () => setConfig(DEFAULT_CONFIG)), []);
  if (config === undefined) return <p className="loading">Loading…</p>;
  return (
    <SessionProvider config={config}>
      <Router hook={useHashLocation}>
        <Shell />
      </Router>
    </SessionProvider>
  );
}
