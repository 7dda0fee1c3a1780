/** XML and HTML escaping shared by the junit and html reporters. */

/** Characters XML 1.0 cannot hold at all (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF): replaced by U+FFFD. */
const INVALID_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Escapes text for an XML/HTML element body or a double- or single-quoted attribute; in attributes, tab/LF/CR become character references so they survive attribute normalization. */
export function escapeXml(text: string, attribute = false): string {
  const clean = text.replace(INVALID_XML_CHARS, "\uFFFD");
  return clean.replace(/[&<>"'\t\n\r]/g, (ch) => {
    switch (ch) {
      case "&":
        return "&amp;";
      case "<":
        return "&lt;";
      case ">":
        return "&gt;";
      case '"':
        return "&quot;";
      case "'":
        return "&apos;";
      case "\t":
        return attribute ? "&#9;" : ch;
      case "\n":
        return attribute ? "&#10;" : ch;
      default:
        return attribute ? "&#13;" : ch;
    }
  });
}

/** Renders `name="value"` pairs, escaped, in the given order; undefined values are left out. */
export function xmlAttrs(attrs: ReadonlyArray<readonly [string, string | number | undefined]>): string {
  return attrs
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v), true)}"`)
    .join("");
}
