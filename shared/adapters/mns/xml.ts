/**
 * The little XML MNS speaks: a root element with a namespace and a few text-only children
 * (`<Message><MessageBody>…</MessageBody></Message>`, `<Error><Code>…</Code>…</Error>`). A small strict
 * encoder and decoder instead of an XML library keeps the agent's failover path free of dependencies.
 *
 * The decoder reads elements, attributes, text, character and the five predefined entity references,
 * CDATA sections and comments. It refuses DOCTYPE declarations (no external entities, no entity
 * expansion), processing instructions other than the leading declaration, mixed content, unbalanced
 * tags, characters XML 1.0 forbids and documents deeper or longer than the limits. Line ends in raw text
 * are normalised as XML requires (CR LF and CR become LF); the encoder therefore writes a carriage return
 * as a character reference, so a message body survives the round trip byte for byte.
 */

export interface XmlElement {
  readonly name: string;
  readonly attributes: ReadonlyMap<string, string>;
  readonly children: readonly XmlElement[];
  /** Text content (for an element with children: the whitespace between them, which is ignored). */
  readonly text: string;
}

/** A document the decoder refuses, with the offset where it stopped. */
export class XmlSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} (at offset ${offset})`);
    this.name = 'XmlSyntaxError';
  }
}

export interface XmlLimits {
  readonly maxLength?: number;
  readonly maxDepth?: number;
}

const NAME_RE = /[A-Za-z_][A-Za-z0-9_.-]*(?::[A-Za-z_][A-Za-z0-9_.-]*)?/y;
const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Whether a code point may appear in an XML 1.0 document. */
function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/** Offset of the first character XML 1.0 cannot carry (control characters, lone surrogates), or -1. */
export function firstNonXmlChar(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const cp = s.codePointAt(i)!;
    if (cp > 0xffff) {
      i++;
      continue;
    }
    if (!isXmlChar(cp)) return i;
  }
  return -1;
}

/** Escapes text for element content. Throws RangeError for a character XML cannot carry. */
export function escapeXmlText(s: string): string {
  const bad = firstNonXmlChar(s);
  if (bad >= 0) {
    const code = s.charCodeAt(bad).toString(16).toUpperCase().padStart(4, '0');
    throw new RangeError(`character U+${code} at offset ${bad} cannot be carried in XML`);
  }
  return s.replace(/[&<>\r]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#13;',
  );
}

/** `<?xml …?><root xmlns="…"><name>value</name>…</root>`, skipping undefined values. */
export function xmlDocument(
  root: string,
  namespace: string,
  fields: readonly (readonly [string, string | undefined])[],
): string {
  const body = fields
    .filter((f): f is readonly [string, string] => f[1] !== undefined)
    .map(([name, value]) => `<${name}>${escapeXmlText(value)}</${name}>`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${namespace}">${body}</${root}>`;
}

/** Parses a whole document and returns its root element. Throws {@link XmlSyntaxError}. */
export function parseXml(input: string, limits: XmlLimits = {}): XmlElement {
  const maxLength = limits.maxLength ?? 1 << 20;
  if (input.length > maxLength) throw new XmlSyntaxError(`document longer than ${maxLength} characters`, 0);
  const bad = firstNonXmlChar(input);
  if (bad >= 0) throw new XmlSyntaxError('character not allowed in XML', bad);
  const p = new Parser(input.startsWith('\uFEFF') ? input.slice(1) : input, limits.maxDepth ?? 8);
  return p.document();
}

class Parser {
  private pos = 0;
  constructor(
    private readonly s: string,
    private readonly maxDepth: number,
  ) {}

  document(): XmlElement {
    this.skipSpace();
    if (this.s.startsWith('<?xml', this.pos)) this.declaration();
    this.misc();
    if (this.s[this.pos] !== '<') this.fail('expected the root element');
    const root = this.element(1);
    this.misc();
    if (this.pos < this.s.length) this.fail('content after the root element');
    return root;
  }

  private fail(message: string): never {
    throw new XmlSyntaxError(message, this.pos);
  }

  private skipSpace(): void {
    while (this.pos < this.s.length && ' \t\r\n'.includes(this.s[this.pos]!)) this.pos++;
  }

  private declaration(): void {
    const end = this.s.indexOf('?>', this.pos);
    if (end < 0) this.fail('unterminated XML declaration');
    const decl = this.s.slice(this.pos, end);
    if (!/^<\?xml\s+version\s*=\s*["']1\.[0-9]["']/.test(decl)) this.fail('malformed XML declaration');
    const enc = /encoding\s*=\s*["']([^"']+)["']/.exec(decl);
    if (enc && enc[1]!.toLowerCase() !== 'utf-8') this.fail(`unsupported encoding ${enc[1]}`);
    this.pos = end + 2;
  }

  /** Whitespace and comments; anything else starting with `<!` or `<?` is refused. */
  private misc(): void {
    for (;;) {
      this.skipSpace();
      if (this.s.startsWith('<!--', this.pos)) this.comment();
      else if (this.s.startsWith('<!', this.pos))
        this.fail('DOCTYPE and other declarations are not accepted');
      else if (this.s.startsWith('<?', this.pos)) this.fail('processing instructions are not accepted');
      else return;
    }
  }

  private comment(): void {
    const end = this.s.indexOf('-->', this.pos + 4);
    if (end < 0) this.fail('unterminated comment');
    this.pos = end + 3;
  }

  private name(): string {
    NAME_RE.lastIndex = this.pos;
    const m = NAME_RE.exec(this.s);
    if (!m) this.fail('expected a name');
    this.pos += m[0].length;
    return m[0];
  }

  private element(depth: number): XmlElement {
    if (depth > this.maxDepth) this.fail(`elements nested deeper than ${this.maxDepth}`);
    this.pos++; // '<'
    const name = this.name();
    const attributes = this.attributes();
    if (this.s.startsWith('/>', this.pos)) {
      this.pos += 2;
      return { name, attributes, children: [], text: '' };
    }
    if (this.s[this.pos] !== '>') this.fail(`malformed start tag <${name}>`);
    this.pos++;
    const { children, text } = this.content(depth);
    // content() stops at '</'
    this.pos += 2;
    const closing = this.name();
    if (closing !== name) this.fail(`</${closing}> closes <${name}>`);
    this.skipSpace();
    if (this.s[this.pos] !== '>') this.fail(`malformed end tag </${name}>`);
    this.pos++;
    if (children.length > 0 && text.trim() !== '') this.fail(`<${name}> mixes text and elements`);
    return { name, attributes, children, text: children.length > 0 ? '' : text };
  }

  private attributes(): Map<string, string> {
    const out = new Map<string, string>();
    for (;;) {
      const before = this.pos;
      this.skipSpace();
      const c = this.s[this.pos];
      if (c === '>' || c === '/' || c === undefined) return out;
      if (this.pos === before) this.fail('expected whitespace before an attribute');
      const name = this.name();
      this.skipSpace();
      if (this.s[this.pos] !== '=') this.fail(`attribute ${name} has no value`);
      this.pos++;
      this.skipSpace();
      const quote = this.s[this.pos];
      if (quote !== '"' && quote !== "'") this.fail(`attribute ${name} is not quoted`);
      const end = this.s.indexOf(quote, this.pos + 1);
      if (end < 0) this.fail(`unterminated attribute ${name}`);
      const raw = this.s.slice(this.pos + 1, end);
      if (raw.includes('<')) this.fail(`'<' in attribute ${name}`);
      if (out.has(name)) this.fail(`duplicate attribute ${name}`);
      out.set(name, this.decodeText(raw, this.pos + 1));
      this.pos = end + 1;
    }
  }

  private content(depth: number): { children: XmlElement[]; text: string } {
    const children: XmlElement[] = [];
    let text = '';
    for (;;) {
      const lt = this.s.indexOf('<', this.pos);
      if (lt < 0) this.fail('unterminated element');
      text += this.decodeText(this.s.slice(this.pos, lt), this.pos);
      this.pos = lt;
      if (this.s.startsWith('</', this.pos)) return { children, text };
      if (this.s.startsWith('<!--', this.pos)) this.comment();
      else if (this.s.startsWith('<![CDATA[', this.pos)) {
        const end = this.s.indexOf(']]>', this.pos + 9);
        if (end < 0) this.fail('unterminated CDATA section');
        text += normaliseLineEnds(this.s.slice(this.pos + 9, end));
        this.pos = end + 3;
      } else if (this.s.startsWith('<!', this.pos) || this.s.startsWith('<?', this.pos)) {
        this.fail('declarations and processing instructions are not accepted in content');
      } else children.push(this.element(depth + 1));
    }
  }

  /** Decodes references in raw text and normalises its line ends. */
  private decodeText(raw: string, offset: number): string {
    if (raw.includes(']]>')) throw new XmlSyntaxError("']]>' in text", offset);
    return normaliseLineEnds(raw).replace(/&([^;&<\s]*);?/g, (whole, ref: string) => {
      if (!whole.endsWith(';')) throw new XmlSyntaxError(`unterminated reference &${ref}`, offset);
      const predefined = PREDEFINED[ref];
      if (predefined !== undefined) return predefined;
      const m = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(ref);
      const cp = m ? Number.parseInt(m[1] ?? m[2]!, m[1] ? 16 : 10) : Number.NaN;
      if (!m || !isXmlChar(cp)) throw new XmlSyntaxError(`unknown or invalid reference &${ref};`, offset);
      return String.fromCodePoint(cp);
    });
  }
}

function normaliseLineEnds(s: string): string {
  return s.includes('\r') ? s.replace(/\r\n?/g, '\n') : s;
}

/** The text of each child of `root`, by element name; a repeated or nested child is refused. */
export function childTexts(root: XmlElement): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of root.children) {
    if (c.children.length > 0) throw new XmlSyntaxError(`<${c.name}> must hold text only`, 0);
    if (out.has(c.name)) throw new XmlSyntaxError(`<${c.name}> appears twice`, 0);
    out.set(c.name, c.text);
  }
  return out;
}
