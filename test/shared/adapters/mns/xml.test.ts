import { describe, expect, it } from 'vitest';
import {
  childTexts,
  escapeXmlText,
  firstNonXmlChar,
  parseXml,
  XmlSyntaxError,
  xmlDocument,
} from '../../../../shared/adapters/mns/xml.js';

const NS = 'http://mns.aliyuncs.com/doc/v1/';
const roundTrip = (text: string) =>
  childTexts(parseXml(xmlDocument('Message', NS, [['MessageBody', text]]))).get('MessageBody');

describe('XML encoder', () => {
  it.each([
    ['markup characters', '<a href="x">&amp; </a> ]]> \'q\''],
    ['JSON with escapes', '{"type":"heartbeat.timeout","note":"a\\nb\\u0001 <&>"}'],
    ['line ends of every kind', 'a\r\nb\rc\nd\te'],
    ['non-ASCII and astral characters', 'Zürich 杭州 😀'],
    ['leading and trailing whitespace', '  padded\n  '],
  ])('round-trips %s byte for byte', (_what, text) => {
    expect(roundTrip(text)).toBe(text);
  });

  it('escapes &, <, > and CR, and leaves quotes alone in text', () => {
    expect(escapeXmlText('a&b<c>d\re"f\'')).toBe('a&amp;b&lt;c&gt;d&#13;e"f\'');
  });

  it.each([
    ['NUL', 'a\u0000b', 1],
    ['a C0 control', 'ab\u001f', 2],
    ['U+FFFE', '\uFFFE', 0],
    ['a lone high surrogate', 'x\uD800y', 1],
    ['a lone low surrogate', '\uDC00', 0],
  ])('refuses %s, which XML cannot carry', (_what, text, at) => {
    expect(firstNonXmlChar(text)).toBe(at);
    expect(() => escapeXmlText(text)).toThrow(RangeError);
  });

  it('writes the declaration, the namespace and skips undefined fields', () => {
    expect(
      xmlDocument('Message', NS, [
        ['MessageBody', 'x'],
        ['MessageTag', undefined],
      ]),
    ).toBe(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Message xmlns="${NS}"><MessageBody>x</MessageBody></Message>`,
    );
  });
});

describe('XML decoder', () => {
  it("reads MNS's error document (the documented example, pretty-printed)", () => {
    const root = parseXml(`<?xml version="1.0" encoding="UTF-8"?>
<Error xmlns="http://mns.aliyuncs.com/doc/v1/">
    <Code>InvalidArgument</Code>
    <Message>Authorization header is invalid or missing.</Message>
    <RequestId>04bb60e3-28aa-4706-99b0-9345d834****</RequestId>
    <HostId>mns.cn-hangzhou.aliyuncs.com</HostId>
</Error>`);
    expect(root.name).toBe('Error');
    expect(root.attributes.get('xmlns')).toBe(NS);
    expect(Object.fromEntries(childTexts(root))).toEqual({
      Code: 'InvalidArgument',
      Message: 'Authorization header is invalid or missing.',
      RequestId: '04bb60e3-28aa-4706-99b0-9345d834****',
      HostId: 'mns.cn-hangzhou.aliyuncs.com',
    });
  });

  it('decodes character references, CDATA, comments, self-closing elements and a BOM', () => {
    const root = parseXml(
      '\uFEFF<!-- c --><R a=\'1\' b="&lt;"><X>&#65;&#x42;&quot;<![CDATA[<&>]]></X><Y/></R>',
    );
    expect(root.attributes.get('b')).toBe('<');
    expect(childTexts(root).get('X')).toBe('AB"<&>');
    expect(childTexts(root).get('Y')).toBe('');
  });

  it.each([
    ['a DOCTYPE (no entity tricks)', '<!DOCTYPE x [<!ENTITY e "boom">]><R>&e;</R>', /DOCTYPE/],
    ['an unknown entity', '<R>&e;</R>', /unknown or invalid reference/],
    ['a bare ampersand', '<R>a & b</R>', /unterminated reference/],
    ['a reference to a forbidden character', '<R>&#0;</R>', /invalid reference/],
    ['mismatched tags', '<R><A></B></R>', /<\/B> closes <A>/],
    ['an unterminated element', '<R><A>x</A>', /unterminated element/],
    ['text after the root', '<R/>junk', /after the root/],
    ['two roots', '<R/><S/>', /after the root/],
    ['mixed content', '<R>text<A/></R>', /mixes text and elements/],
    ['a duplicate attribute', '<R a="1" a="2"/>', /duplicate attribute/],
    ['an unquoted attribute', '<R a=1/>', /not quoted/],
    ['a processing instruction', '<R><?pi x?></R>', /processing instructions/],
    ['a non-UTF-8 declaration', '<?xml version="1.0" encoding="GBK"?><R/>', /unsupported encoding/],
    ['a raw control character', '<R>\u0001</R>', /not allowed/],
    ['an empty document', '   ', /root element/],
    ['plain text', 'Service Unavailable', /root element/],
  ])('refuses %s', (_what, text, message) => {
    expect(() => parseXml(text)).toThrow(XmlSyntaxError);
    expect(() => parseXml(text)).toThrow(message);
  });

  it('enforces the depth and length limits', () => {
    expect(() => parseXml('<a><b><c/></b></a>', { maxDepth: 2 })).toThrow(/deeper than 2/);
    expect(() => parseXml(`<a>${'x'.repeat(100)}</a>`, { maxLength: 50 })).toThrow(/longer than 50/);
  });

  it('refuses repeated or nested children when reading flat fields', () => {
    expect(() => childTexts(parseXml('<R><A>1</A><A>2</A></R>'))).toThrow(/twice/);
    expect(() => childTexts(parseXml('<R><A><B/></A></R>'))).toThrow(/text only/);
  });
});
