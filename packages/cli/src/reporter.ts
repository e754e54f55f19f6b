import { formatDiagnostic, type Diagnostic } from '@codex-k8s/core/errors';
import { log } from './output.js';

/** The CLI's Reporter: phases and details on stderr (stdout stays for results); summaries are not printed. */
export function cliReporter() {
  return {
    info: (m: string) => log('info', m),
    debug: (m: string) => log('debug', m),
    warning: (m: string, where?: Diagnostic) => log('warn', where ? formatDiagnostic({ ...where, message: m }) : m),
    group: async <T>(title: string, body: () => Promise<T>): Promise<T> => {
      log('info', `== ${title}`);
      return body();
    },
    summary: (md: string) => log('debug', md),
  };
}
