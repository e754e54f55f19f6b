/** GitHub's error bodies: `{"message", "documentation_url", "status"}`, plus `errors` for 422 Validation Failed. */
const DOCS = 'https://docs.github.com/rest';

export class GitHubError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Extra body fields (`errors` of a 422) and the documentation path. */
    readonly extra: { errors?: ValidationDetail[]; docs?: string } = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    return {
      message: this.message,
      ...(this.extra.errors ? { errors: this.extra.errors } : {}),
      documentation_url: `${DOCS}${this.extra.docs ?? ''}`,
      // GitHub has been adding the status, as a string, to error bodies since 2024.
      status: String(this.status),
    };
  }
}

export interface ValidationDetail {
  resource: string;
  code: string;
  field?: string;
  message?: string;
}

export const notFound = (docs?: string): GitHubError => new GitHubError(404, 'Not Found', { docs });
export const badCredentials = (): GitHubError => new GitHubError(401, 'Bad credentials');
export const validationFailed = (errors: ValidationDetail[], docs?: string): GitHubError =>
  new GitHubError(422, 'Validation Failed', { errors, docs });
export const badRequest = (message: string): GitHubError => new GitHubError(400, message);
