import { Command, CommanderError, Option } from 'commander';
import { LpcvError } from '../errors/lpcv-error.js';
import { EXIT } from '../errors/codes.js';
import { intInRange, positiveInt, runCommand } from './run-command.js';
import { TASK_NAMES } from '../harness/tasks/task-catalog.js';

// Each command's module is imported when that command runs: `lpcv --help` should not load sharp,
// protobufjs and zod first.

const program = new Command('lpcv')
  .description('LPCV benchmark harness: measure, score and rank low-power computer-vision models')
  .version('0.1.0')
  .showHelpAfterError(false)
  .exitOverride()
  .configureOutput({
    // Commander's own error text is replaced by our one-line coded message below.
    outputError: () => {},
  });

const wantsJson = (): boolean => process.argv.includes('--json');

program
  .command('score')
  .description("measure a model on a track's split under the track's protocol and compute its score")
  .argument('<model>', 'model file (ONNX)')
  .requiredOption('--track <name|file>', 'track name (see lpcv tracks) or path to a track.json')
  .option('--split <name>', "split to score on (default: the track's default split)")
  .option('--threads <n>', "intra-op threads (default: the track's, usually 1)", positiveInt('--threads'))
  .option('--trials <n>', "independent trials, each a fresh inference process, 1 to 100 (default: the track's)", intInRange('--trials', 1, 100))
  .option('--runs <n>', "exactly n timed runs in each trial (default: until the track's per-trial minimum count and duration)", positiveInt('--runs'))
  .option('--warmup <n>', "untimed warm-up runs in each trial (default: the track's)", positiveInt('--warmup', true))
  .option('--timeout <seconds>', "kill the run past this (default: the track's limit)", positiveInt('--timeout'))
  .option('--json', 'print exactly one JSON object, the result record, on stdout')
  .option('--out <file>', 'also write the result record to a file (raw samples beside it, *.samples.json)')
  .option(
    '--predictions <path>',
    'also write the predictions as lpcv evaluate reads them: classification, the LPCVC 2020 result file (5 lines per image: name class); detection, COCO results JSON; segmentation, a folder of PNG label maps',
  )
  .option('--no-robustness', "skip the track's robustness splits of this split (corrupted and adversarial; docs/robustness.md)")
  .action((model: string, o) => runCommand(Boolean(o.json), async () => (await import('./commands/score.js')).scoreCommand(model, o)));

program
  .command('evaluate')
  .description('score a predictions file against ground truth, without running anything')
  .addOption(new Option('--task <task>', 'the task').choices([...TASK_NAMES]).makeOptionMandatory())
  .option('--gt <file|dir>', 'ground truth: labels CSV/JSON, COCO annotations JSON, or a folder of PNG masks')
  .option('--split <name>', "instead of --gt, with --track: the ground truth of the track's split (its images only)")
  .requiredOption('--pred <file|dir>', 'predictions: LPCVC 2020 result list or JSON map, COCO results JSON, or a folder of PNG label maps')
  .option('--classes <n>', 'number of classes (default: from the track or the ground truth)', positiveInt('--classes'))
  .option('--track <name|file>', 'take class names and count from a track')
  .option('--ignore-index <n>', 'segmentation: a mask value to ignore', positiveInt('--ignore-index', true))
  .option('--json', 'print one JSON object on stdout')
  .action((o) => runCommand(Boolean(o.json), async () => (await import('./commands/evaluate.js')).evaluateCommand(o)));

program
  .command('validate')
  .description('check a model against a track (format, input and output names, shapes and types) without running it')
  .argument('<model>', 'model file')
  .requiredOption('--track <name|file>', 'track name or path to a track.json')
  .option('--json', 'print one JSON object on stdout')
  .action((model: string, o) => runCommand(Boolean(o.json), async () => (await import('./commands/validate.js')).validateCommand(model, o)));

program
  .command('inspect')
  .description("parameters, MACs and HarDNet's CIO and MoC per layer, from the ONNX graph")
  .argument('<model>', 'ONNX model file')
  .option('--batch <n>', 'batch size to substitute for symbolic batch dimensions', positiveInt('--batch'))
  .option('--json', 'print one JSON object on stdout')
  .action((model: string, o) => runCommand(Boolean(o.json), async () => (await import('./commands/inspect.js')).inspectCommand(model, o)));

program
  .command('tracks')
  .description('list the tracks')
  .option('--json', 'print one JSON object on stdout')
  .action((o) => runCommand(Boolean(o.json), async () => (await import('./commands/tracks.js')).tracksCommand(o)));

const collect = (value: string, previous: string[]): string[] => [...previous, value];

program
  .command('formulas')
  .description('list the score formulas: name@version, inputs with units, parameters with defaults (docs/formulas.md)')
  .option('--json', 'print one JSON object on stdout')
  .action((o) => runCommand(Boolean(o.json), async () => (await import('./commands/formulas.js')).formulasCommand(o)));

program
  .command('formula')
  .description('compute one score from measures given by hand, e.g. to check a published result')
  .argument('<name[@version]>', 'formula name, optionally @version (default: the latest)')
  .option(
    '--set <measure=value>',
    'a measure with its unit: energy=36.7J, energy=1.37Wh, latency=6.8ms, duration=495s, map=0.3, top1=75% (repeatable)',
    collect,
    [],
  )
  .option('--param <name=value>', 'a formula parameter (repeatable)', collect, [])
  .option('--json', 'print one JSON object on stdout: {formula, version, value, qualified, inputs, params}')
  .action((ref: string, o) => runCommand(Boolean(o.json), async () => (await import('./commands/formula.js')).formulaCommand(ref, o)));

program
  .command('serve')
  .description('run the competition server: submissions, job queue, scoring, and a local desktop agent (docs/api.md, "Serving")')
  .option('--port <n>', 'TCP port (0 picks a free one)', positiveInt('--port', true), 8080)
  .option('--host <address>', 'address to listen on (0.0.0.0: every interface)', '127.0.0.1')
  .option('--data-dir <dir>', "the server's data folder: database, artifacts, input packs", './data')
  .option('--no-local-agent', 'do not run the in-process desktop agent (remote agents lease the jobs)')
  .option('--database-url <url>', 'use this PostgreSQL database instead of <data-dir>/lpcv.sqlite (default: env LPCV_DATABASE_URL)')
  .option('--no-baselines', "do not queue the tracks' baseline models at start (they are queued once, on the first start)")
  .option(
    '--baseline-trials <n>',
    "trials of a baseline's job when its track asks for more, 1 to 100 (submissions always run the track's)",
    intInRange('--baseline-trials', 1, 100),
    1,
  )
  .option('--public-url <url>', 'the address participants use, when a TLS proxy serves this server (https://...: the login cookies are marked Secure)')
  .option('--competition <file>', 'a competition bundle (YAML) to apply at start: phases, quotas, webhooks (docs/running-a-competition.md)')
  .option(
    '--smtp-url <url>',
    "e-mail for accounts (sign-up, sign-in links, invitations): smtp://user:pass@host:587 (default: env LPCV_SMTP_URL; none: written to the server's log)",
  )
  .option('--mail-from <address>', 'the From of those e-mails', 'LPCV benchmark <lpcv@localhost>')
  .option('--quota <n>', 'submissions per team per track per UTC day (0: unlimited)', positiveInt('--quota', true), 5)
  .option('--lease-ms <n>', "the local agent's lease length in ms (a lease not renewed within it is reclaimed)", positiveInt('--lease-ms'), 60_000)
  .option('--reap-every-ms <n>', 'how often expired leases are reclaimed, in ms', positiveInt('--reap-every-ms'), 5_000)
  .option(
    '--offline-after-ms <n>',
    'a device not heard from for this long (and not inside a live lease) is offline',
    positiveInt('--offline-after-ms'),
    120_000,
  )
  .option('--reference-every-min <n>', "run each idle device's reference baseline every n minutes (0: never)", positiveInt('--reference-every-min', true), 0)
  .option(
    '--reference-baseline <track/name>',
    "a track's reference baseline (repeatable; default: each track's first baseline)",
    (v: string, all: string[] = []) => [...all, v],
  )
  .option('--drift-pct <n>', 'flag a device whose reference latency moved this many percent from its first', positiveInt('--drift-pct'), 10)
  .addOption(
    new Option('--log-format <format>', 'the log: text (a readable line each; the default) or json (one JSON object a line, for a log collector)').choices([
      'text',
      'json',
    ]),
  )
  .addOption(
    new Option('--log-level <level>', "the least severe lines logged (debug adds idle agents' polls)")
      .choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
  )
  .option(
    '--metrics-listen <host:port>',
    'also serve GET /metrics, with no token, on this address (e.g. 127.0.0.1:9464); on the main address it needs LPCV_METRICS_TOKEN or the admin token',
  )
  .action((o) => runCommand(false, async () => (await import('./commands/serve.js')).serveCommand(o)));

program
  .command('submit')
  .description("upload a model to a competition server's queue and print the submission id (--wait: its result)")
  .argument('[file]', 'model file (leave out with --aihub-job)')
  .requiredOption('--track <name>', "the server's track name, e.g. fashion-mnist")
  .requiredOption('--server <url>', 'the competition server, e.g. https://lpcv.example.org')
  .option('--token-file <file>', 'read the team token from this file (default: env LPCV_TOKEN)')
  .option('--token <token>', 'the team token (prefer env LPCV_TOKEN or --token-file: command lines are visible to other users)')
  .option('--description <text>', 'free text shown with the submission (at most 4,000 bytes)')
  .option('--wait', "wait until it is scored, then print the result record (exit code: the failure's, if it failed)")
  .option('--poll-ms <n>', 'with --wait, how often to ask for the status, in ms', positiveInt('--poll-ms'), 1_000)
  .option('--aihub-job <id>', 'submit a compile job shared on Qualcomm AI Hub (its id, e.g. jgdx8v3p5) instead of a model file')
  .option('--json', 'print one JSON object on stdout: {id}, or with --wait the result record')
  .action((file: string | undefined, o) => runCommand(Boolean(o.json), async () => (await import('./commands/submit.js')).submitCommand(file, o)));

program
  .command('agent')
  .description(
    'run a device agent: lease jobs from a competition server, run them on its devices (this machine, SSH boards, Android phones), report the results',
  )
  .option('--server <url>', 'the competition server, e.g. http://server:8080 (or "server" in --config)')
  .option('--token-file <file>', 'read the agent token from this file (default: env LPCV_AGENT_TOKEN)')
  .option('--token <token>', 'the agent token (prefer env LPCV_AGENT_TOKEN or --token-file: command lines are visible to other users)')
  .option(
    '--device <spec>',
    'a device, repeatable: desktop[?...], ssh://user@host[:port][?...], adb://SERIAL[?...] (docs/agents.md; default desktop)',
    (v: string, all: string[]) => [...all, v],
    [] as string[],
  )
  .option('--config <file>', 'an agent config file (JSON: server, tokenFile, cacheDir, devices, leaseMs, pollMs, graceMs); the command line wins')
  .option('--name <name>', "the device's name on the server when there is one device (default: this machine's host name)")
  .option('--cache-dir <dir>', 'downloaded models and input packs (default: ~/.cache/lpcv-agent)')
  .option('--lease-ms <n>', 'lease length in ms (heartbeats every third of it; default 60000)', positiveInt('--lease-ms'))
  .option('--poll-ms <n>', 'wait between lease requests when the queue is empty, in ms (default 1000)', positiveInt('--poll-ms'))
  .option('--grace-ms <n>', 'after SIGTERM, how long running jobs may still finish, in ms (default 10000)', positiveInt('--grace-ms'))
  .action((o) => runCommand(false, async () => (await import('./commands/agent.js')).agentCommand(o)));

program
  .command('rescore')
  .description("re-score a track's stored results from their raw measurements (no device runs again), print the rank changes and log them (docs/rescoring.md)")
  .requiredOption('--track <name>', 'the track (a name or a track file)')
  .option('--formula <name@version>', 'the formula to apply (default: the effective one; `lpcv formulas` lists them)')
  .option('--param <key=value>', 'a formula parameter (repeatable)', (v: string, all: string[]) => [...all, v], [] as string[])
  .option('--track-file', "go back to the track file's formula and remove the server's override")
  .option('--dry-run', 'compute and show the changes, store nothing but the audit entry')
  .option('--data-dir <dir>', "the server's data folder; its database is <dir>/lpcv.sqlite", './data')
  .option('--database-url <url>', 'use this PostgreSQL database instead (default: env LPCV_DATABASE_URL)')
  .option('--database-schema <name>', 'PostgreSQL schema (default: env LPCV_DATABASE_SCHEMA)')
  .option('--json', 'print the report as one JSON object on stdout')
  .action((o) => runCommand(Boolean(o.json), async () => (await import('./commands/rescore.js')).rescoreCommand(o)));

// lpcv competition validate|apply: a competition bundle (docs/running-a-competition.md).
const competition = program.command('competition').description("check a competition bundle (phases, quotas, webhooks) or apply it to a server's database");
competition
  .command('validate')
  .description('check a competition bundle and the track files it names; exit 3 with LPCV_E_COMPETITION_CONFIG naming the key when it is invalid')
  .argument('<file>', 'the bundle (YAML)')
  .option('--json', 'print one JSON object on stdout')
  .action((file: string, o) => runCommand(Boolean(o.json), async () => (await import('./commands/competition.js')).competitionValidateCommand(file, o)));
competition
  .command('apply')
  .description("store a competition bundle in a server's database (again: no change; a change to a phase that has started needs --force, audited)")
  .argument('<file>', 'the bundle (YAML)')
  .option('--force', 'apply changes to phases that have started (they are audited)')
  .option('--data-dir <dir>', "the server's data folder; its database is <dir>/lpcv.sqlite", './data')
  .option('--database-url <url>', 'use this PostgreSQL database instead (default: env LPCV_DATABASE_URL)')
  .option('--database-schema <name>', 'PostgreSQL schema (default: env LPCV_DATABASE_SCHEMA)')
  .option('--json', 'print one JSON object on stdout')
  .action((file: string, o) => runCommand(Boolean(o.json), async () => (await import('./commands/competition.js')).competitionApplyCommand(file, o)));

program
  .command('export')
  .description("write a server's data as one zip: every table as CSV and JSON, the competition bundle and every upload (docs/cli.md)")
  .requiredOption('--out <file.zip>', 'the zip to write (as <file.zip>.partial, renamed when complete)')
  .option('--data-dir <dir>', "the server's data folder: its database <dir>/lpcv.sqlite and its uploads <dir>/artifacts", './data')
  .option('--database-url <url>', 'read the rows from this PostgreSQL database instead (default: env LPCV_DATABASE_URL)')
  .option('--database-schema <name>', 'PostgreSQL schema (default: env LPCV_DATABASE_SCHEMA)')
  .option('--json', 'print the summary as one JSON object on stdout')
  .action((o) => runCommand(Boolean(o.json), async () => (await import('./commands/export.js')).exportCommand(o)));

// lpcv admin team|agent add|list: the competition server's teams and device agents, in its database.
const admin = program.command('admin').description("manage a competition server's teams and device agents");
for (const what of ['team', 'agent'] as const) {
  const group = admin.command(what).description(`add ${what === 'agent' ? 'an' : 'a'} ${what} (prints its token once) or list the ${what}s`);
  const withDatabaseOptions = (c: Command): Command =>
    c
      .option('--data-dir <dir>', "the server's data folder; its database is <dir>/lpcv.sqlite", './data')
      .option('--database-url <url>', 'use this PostgreSQL database instead (default: env LPCV_DATABASE_URL)')
      .option('--database-schema <name>', 'PostgreSQL schema (default: env LPCV_DATABASE_SCHEMA)')
      .option('--json', 'print one JSON object on stdout');
  withDatabaseOptions(
    group
      .command('add')
      .description(`add ${what === 'agent' ? 'an' : 'a'} ${what} and print its token (shown only this once)`)
      .argument('<name>', `${what} name: letters, digits, - _ . and spaces, at most 64`),
  ).action((name: string, o) => runCommand(Boolean(o.json), async () => (await import('./commands/admin.js')).adminAddCommand(what, name, o)));
  withDatabaseOptions(group.command('list').description(`list the ${what}s with their token prefixes (never the tokens)`)).action((o) =>
    runCommand(Boolean(o.json), async () => (await import('./commands/admin.js')).adminListCommand(what, o)),
  );
  if (what === 'agent') {
    withDatabaseOptions(
      group.command('token').description('issue a new token for an agent (its other tokens stay valid) and print it once').argument('<name>', 'agent name'),
    )
      .option('--create', 'add the agent when it does not exist')
      .option('--out <file>', 'write the token to this file (mode 0600) instead of stdout; a token there that still works is kept')
      .action((name: string, o) => runCommand(Boolean(o.json), async () => (await import('./commands/admin.js')).adminAgentTokenCommand(name, o)));
  }
}

// Commander checks required options before it refuses unknown ones, so `--trak x` would be reported as a
// missing --track. Required options are checked here instead, in a hook that runs after that refusal.
const requiredOptions = new Set<Option>();
const takeRequiredOptions = (c: Command): void => {
  for (const option of c.options.filter((o) => o.mandatory)) {
    option.mandatory = false;
    requiredOptions.add(option);
  }
  c.commands.forEach(takeRequiredOptions);
};
takeRequiredOptions(program);
program.hook('preAction', (_program, command) => {
  const missing = command.options.find((o) => requiredOptions.has(o) && command.getOptionValue(o.attributeName()) === undefined);
  if (missing) throw new LpcvError('LPCV_E_USAGE', `required option '${missing.flags}' not specified (see lpcv --help)`);
});

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') process.exit(EXIT.ok);
    // An option parser of ours threw a coded error; commander wraps nothing else.
    const cause = e.message.replace(/^error: /, '');
    await runCommand(wantsJson(), async () => {
      throw new LpcvError('LPCV_E_USAGE', `${cause} (see lpcv --help)`);
    });
  }
  if (e instanceof LpcvError)
    await runCommand(wantsJson(), async () => {
      throw e;
    });
  throw e;
}
