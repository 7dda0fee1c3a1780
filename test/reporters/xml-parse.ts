/** A tiny strict XML parser for tests: elements, attributes, text, entities; throws on anything malformed. */

/** A parsed element. */
export interface XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  /** Concatenated text directly inside the element. */
  text: string;
}

const NAME = /^[A-Za-z_][\w.-]*/;

function decode(raw: string, where: number): string {
  if (/[<]/.test(raw)) throw new Error(`raw '<' at ${where}`);
  return raw.replace(/&([^;]*);?/g, (whole, ent: string) => {
    if (!whole.endsWith(";")) throw new Error(`unterminated entity at ${where}: ${whole}`);
    switch (ent) {
      case "lt":
        return "<";
      case "gt":
        return ">";
      case "amp":
        return "&";
      case "quot":
        return '"';
      case "apos":
        return "'";
    }
    const m = /^#(x[0-9a-fA-F]+|[0-9]+)$/.exec(ent);
    if (m === null) throw new Error(`unknown entity &${ent}; at ${where}`);
    const code = m[1]!.startsWith("x") ? parseInt(m[1]!.slice(1), 16) : parseInt(m[1]!, 10);
    return String.fromCodePoint(code);
  });
}

/** Parses a whole document and returns its root element. */
export function parseXml(xml: string): XmlElement {
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(xml)) throw new Error("control character in XML");
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const skipWs = (): void => {
    while (i < xml.length && /\s/.test(xml[i]!)) i++;
  };
  if (xml.startsWith("<?xml")) {
    i = xml.indexOf("?>") + 2;
  }
  while (i < xml.length) {
    if (xml.startsWith("<!--", i)) {
      i = xml.indexOf("-->", i) + 3;
      continue;
    }
    if (xml[i] === "<") {
      if (xml[i + 1] === "/") {
        const end = xml.indexOf(">", i);
        const name = xml.slice(i + 2, end).trim();
        const open = stack.pop();
        if (open === undefined || open.name !== name) throw new Error(`mismatched </${name}> at ${i}`);
        i = end + 1;
        continue;
      }
      i++;
      const name = NAME.exec(xml.slice(i))?.[0];
      if (name === undefined) throw new Error(`bad element name at ${i}`);
      i += name.length;
      const attrs: Record<string, string> = {};
      for (;;) {
        skipWs();
        if (xml.startsWith("/>", i) || xml[i] === ">") break;
        const an = NAME.exec(xml.slice(i))?.[0];
        if (an === undefined) throw new Error(`bad attribute at ${i}`);
        i += an.length;
        skipWs();
        if (xml[i] !== "=") throw new Error(`expected = at ${i}`);
        i++;
        skipWs();
        const q = xml[i];
        if (q !== '"' && q !== "'") throw new Error(`unquoted attribute at ${i}`);
        const end = xml.indexOf(q, i + 1);
        if (end < 0) throw new Error("unterminated attribute");
        if (an in attrs) throw new Error(`duplicate attribute ${an}`);
        // Attribute-value normalization (XML 1.0 §3.3.3): literal whitespace becomes a space; character references survive.
        attrs[an] = decode(xml.slice(i + 1, end).replace(/[\t\n\r]/g, " "), i);
        i = end + 1;
      }
      const el: XmlElement = { name, attrs, children: [], text: "" };
      if (stack.length > 0) stack[stack.length - 1]!.children.push(el);
      else if (root === undefined) root = el;
      else throw new Error("two root elements");
      if (xml.startsWith("/>", i)) {
        i += 2;
      } else {
        i += 1;
        stack.push(el);
      }
      continue;
    }
    const next = xml.indexOf("<", i);
    const raw = xml.slice(i, next < 0 ? xml.length : next);
    if (raw.includes(">") && raw.includes("]]>")) throw new Error("]]> in text");
    const text = decode(raw, i);
    if (stack.length > 0) stack[stack.length - 1]!.text += text;
    else if (text.trim() !== "") throw new Error(`text outside the root at ${i}`);
    i = next < 0 ? xml.length : next;
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack[stack.length - 1]!.name}>`);
  if (root === undefined) throw new Error("no root element");
  return root;
}

/** All descendants (and the element itself) with the given name, in document order. */
export function findAll(el: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = el.name === name ? [el] : [];
  for (const c of el.children) out.push(...findAll(c, name));
  return out;
}
