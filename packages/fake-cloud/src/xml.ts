/**
 * A tiny XML writer: objects become elements in key order, arrays repeat their element, `''` is an empty element.
 * @module
 */

/** A value rendered as XML content. */
export type XmlValue = string | number | boolean | null | undefined | XmlObject | readonly XmlValue[];
/** An element's children by name. */
export interface XmlObject {
  readonly [name: string]: XmlValue;
}

/** Escapes text for XML content and attributes. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

function render(name: string, value: XmlValue): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map((v) => render(name, v)).join('');
  if (typeof value === 'object') {
    const inner = renderChildren(value as XmlObject);
    return inner ? `<${name}>${inner}</${name}>` : `<${name}/>`;
  }
  const text = escapeXml(String(value));
  return text ? `<${name}>${text}</${name}>` : `<${name}/>`;
}

function renderChildren(obj: XmlObject): string {
  return Object.entries(obj)
    .map(([k, v]) => render(k, v))
    .join('');
}

/** A whole document: declaration, root element (with `xmlns` if given) and children. */
export function xmlDocument(root: string, children: XmlObject, xmlns?: string): string {
  const attrs = xmlns ? ` xmlns="${escapeXml(xmlns)}"` : '';
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root}${attrs}>${renderChildren(children)}</${root}>`;
}
