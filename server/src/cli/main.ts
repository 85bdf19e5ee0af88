/** `pnpm -s run server start`: runs the server with settings from the environment. */
import { ConfigError, loadConfig, SETTINGS } from '../config.ts';
import { createLogger } from '../log.ts';
import { StartupError, startServer } from '../server.ts';

const USAGE = `usage: pnpm -s run server start

Settings (environment):
${SETTINGS.map((s) => `  ${s.env.padEnd(26)} ${s.description}${s.default ? ` (default ${s.default})` : ''}`).join('\n')}
`;

async function main(argv: string[]) {
  const cmd = argv[0];
  if (cmd === 'start' && argv.slice(1).some((a) => a === '--help' || a === '-h')) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  if (cmd !== 'start') {
    process.stderr.write(cmd && cmd !== '--help' ? `unknown command ${cmd}\n\n${USAGE}` : USAGE);
    process.exit(cmd && cmd !== '--help' ? 2 : 0);
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const log = createLogger(config.logLevel);
  try {
    const server = await startServer(config, { log });
    // Automated callers read the ports from this line; say it even when the log is quieter than info.
    if (!['info', 'debug', 'trace'].includes(config.logLevel))
      process.stdout.write(
        `listening http=${server.httpPort} mqtt=${server.mqttPort}${server.mqttsPort ? ` mqtts=${server.mqttsPort}` : ''}${server.mqttWsPort ? ` mqtt-ws=${server.mqttWsPort}` : ''}\n`,
      );
    let closing = false;
    const shutdown = (signal: string) => {
      if (closing) return;
      closing = true;
      log.info({ signal }, 'shutting down');
      const force = setTimeout(() => process.exit(1), 10_000);
      force.unref();
      server.close().then(() => process.exit(0));
    };
    process.on('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGTERM', () => shutdown('SIGTERM'));
  } catch (e) {
    if (e instanceof StartupError) {
      log.fatal(e.message);
      process.stderr.write(`vitals server cannot start: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
}

await main(process.argv.slice(2));
