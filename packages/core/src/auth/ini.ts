/**
 * The INI dialect of the AWS shared credentials and config files.
 * @module
 */

/** Sections of an INI file: section name → key → value. Objects without a prototype. */
export type IniSections = Record<string, Record<string, string>>;

/**
 * Parses the INI dialect of `~/.aws/credentials` and `~/.aws/config` as the AWS SDKs read it:
 * `[section]` headers (inner whitespace trimmed); `key = value` lines (split at the first `=`, both sides
 * trimmed, keys lower-cased as botocore does); whole-line comments and comments after whitespace, starting
 * with `#` or `;`; lines before the first section and lines without `=` ignored; a repeated section or key
 * merged, the later value winning. A key with an empty value opens a sub-section (`s3 =` followed by
 * indented `max_concurrent_requests = 10` lines); its indented lines are skipped, as dualcloud reads no
 * nested setting.
 *
 * @example
 * ```ts
 * parseIni('[default]\naws_access_key_id = AKID\n')  // { default: { aws_access_key_id: 'AKID' } }
 * ```
 */
export function parseIni(text: string): IniSections {
  const sections: IniSections = Object.create(null) as IniSections;
  let current: Record<string, string> | undefined;
  let inSubSection = false;
  for (const rawLine of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const line = rawLine.split(/(?:^|\s)[;#]/)[0]!.trim();
    if (line === '') continue;
    if (line.startsWith('[') && line.endsWith(']')) {
      const name = line.slice(1, -1).trim();
      current = sections[name] ??= Object.create(null) as Record<string, string>;
      inSubSection = false;
      continue;
    }
    if (!current) continue;
    const indented = /^\s/.test(rawLine);
    if (inSubSection && indented) continue;
    inSubSection = false;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim().toLowerCase();
    const value = line.slice(eq + 1).trim();
    if (value === '') {
      inSubSection = true;
      continue;
    }
    current[key] = value;
  }
  return sections;
}
