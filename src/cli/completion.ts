import { Command, type Option } from 'commander';
import { OUTPUT_FORMATS } from './globals.js';
import { UsageError, act } from './command-kit.js';

/**
 * `arca completion bash|zsh|fish`: a completion script generated from the command tree, so it knows every
 * command, subcommand and option of this version (the `--output` values too).
 */

interface Node {
  /** `principal create` (empty for the root). */
  readonly path: string;
  readonly subcommands: readonly Command[];
  readonly options: readonly Option[];
}

/** Every command of the tree, root first, with its visible subcommands and its options. */
export function treeOf(program: Command): Node[] {
  const nodes: Node[] = [];
  const walk = (cmd: Command, path: string): void => {
    const subcommands = cmd.commands.filter((c) => c.name() !== 'help');
    nodes.push({ path, subcommands, options: cmd.options.filter((o) => !o.hidden) });
    for (const sub of subcommands) walk(sub, path === '' ? sub.name() : `${path} ${sub.name()}`);
  };
  walk(program, '');
  return nodes;
}

const flagsOf = (options: readonly Option[]): string[] => options.flatMap((o) => [o.long, o.short].filter((f): f is string => f !== undefined));
const shellWord = (s: string): string => s.replace(/[^A-Za-z0-9_ .,:/=+-]/g, '');
const singleQuoted = (s: string): string => `'${s.replace(/'/g, "'\\''")}'`;

/** The bash script (zsh loads it through bashcompinit). */
export function bashCompletion(program: Command): string {
  const nodes = treeOf(program);
  const globals = flagsOf(program.options).concat('--help');
  const paths = nodes.filter((n) => n.path !== '').map((n) => `"${n.path}"`);
  const cases = nodes.map((n) => `    "${n.path}") words="${[...n.subcommands.map((c) => c.name()), ...(n.subcommands.length > 0 ? ['help'] : []), ...flagsOf(n.options), ...globals].map(shellWord).join(' ')}" ;;`);
  return `# bash completion for arca (arca completion bash); generated from the command tree.
# Load it with: source <(arca completion bash)   or save it into your bash-completion directory.
_arca() {
  local cur prev path w i words
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  if [[ "$prev" == "--output" ]]; then
    COMPREPLY=( $(compgen -W "${OUTPUT_FORMATS.join(' ')}" -- "$cur") )
    return 0
  fi
  path=""
  for (( i=1; i<COMP_CWORD; i++ )); do
    w="\${COMP_WORDS[i]}"
    [[ "$w" == -* ]] && continue
    case "\${path:+$path }$w" in
      ${paths.join('|')}) path="\${path:+$path }$w" ;;
    esac
  done
  case "$path" in
${cases.join('\n')}
    *) words="${globals.join(' ')}" ;;
  esac
  COMPREPLY=( $(compgen -W "$words" -- "$cur") )
  return 0
}
complete -o default -F _arca arca
`;
}

/** The zsh script: the bash one, through zsh's bashcompinit. */
export function zshCompletion(program: Command): string {
  return `#compdef arca
# zsh completion for arca (arca completion zsh); generated from the command tree.
# Load it with: source <(arca completion zsh)
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bashCompletion(program)}`;
}

/** The fish script: one `complete` line per subcommand and option, conditioned on the command path typed so far. */
export function fishCompletion(program: Command): string {
  const nodes = treeOf(program);
  const lines = [
    '# fish completion for arca (arca completion fish); generated from the command tree.',
    '# Load it with: arca completion fish | source   or save it as ~/.config/fish/completions/arca.fish',
    `set -g __arca_paths ${nodes.filter((n) => n.path !== '').map((n) => singleQuoted(n.path)).join(' ')}`,
    'function __arca_path',
    '  set -l path ""',
    '  for w in (commandline -opc)[2..-1]',
    "    string match -q -- '-*' $w; and continue",
    '    set -l next (string trim -- "$path $w")',
    '    contains -- $next $__arca_paths; and set path $next',
    '  end',
    '  echo $path',
    'end',
    'function __arca_at',
    '  set -l p (__arca_path)',
    '  test "$p" = "$argv"',
    'end',
    'complete -c arca -f',
    `complete -c arca -l output -x -a ${singleQuoted(OUTPUT_FORMATS.join(' '))} -d 'output format'`,
  ];
  for (const o of program.options) if (o.long !== undefined && o.long !== '--output') lines.push(`complete -c arca -l ${o.long.slice(2)}${o.required ? ' -r' : ''} -d ${singleQuoted(o.description)}`);
  for (const n of nodes) {
    const at = singleQuoted(`__arca_at ${n.path}`);
    for (const c of n.subcommands) lines.push(`complete -c arca -n ${at} -a ${singleQuoted(c.name())} -d ${singleQuoted(c.description())}`);
    if (n.path === '') continue;
    for (const o of n.options) if (o.long !== undefined) lines.push(`complete -c arca -n ${at} -l ${o.long.slice(2)}${o.required ? ' -r' : ''} -d ${singleQuoted(o.description)}`);
  }
  return lines.join('\n') + '\n';
}

const SHELLS: Record<string, (program: Command) => string> = { bash: bashCompletion, zsh: zshCompletion, fish: fishCompletion };

/** `arca completion <shell>` for `program` (the tree it completes). */
export function completionCommand(program: Command): Command {
  return new Command('completion')
    .description('print a shell completion script: source <(arca completion bash), zsh alike; arca completion fish | source')
    .argument('<shell>', 'bash, zsh or fish')
    .action(
      act(async (_cmd, shell: string) => {
        const script = SHELLS[shell];
        if (script === undefined) throw new UsageError(`no completion for '${shell}': bash, zsh or fish`);
        process.stdout.write(script(program));
        return 0;
      }),
    );
}
