import Foundation

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// A parsed XML element: enough of a DOM for the tests to check charts' structure.
final class XMLElement {
  let name: String
  let attributes: [String: String]
  var children: [XMLElement] = []
  var text = ""

  init(name: String, attributes: [String: String]) {
    self.name = name
    self.attributes = attributes
  }

  /// This element and every descendant, depth first.
  var all: [XMLElement] { [self] + children.flatMap(\.all) }

  /// The text of this element and its descendants.
  var fullText: String { text + children.map(\.fullText).joined() }

  /// Descendants (and self) whose `class` attribute contains `name`.
  func withClass(_ name: String) -> [XMLElement] {
    all.filter { ($0.attributes["class"] ?? "").split(separator: " ").contains(Substring(name)) }
  }

  /// Parses `text` as XML; nil (with the parser's error) if it is not well formed.
  static func parse(_ text: String) -> Result<XMLElement, ParseFailure> {
    let builder = Builder()
    let parser = XMLParser(data: Data(text.utf8))
    parser.delegate = builder
    // On Linux, parse() can return true after an error: check parserError too.
    guard parser.parse(), parser.parserError == nil, let root = builder.root else {
      return .failure(
        ParseFailure(
          description: parser.parserError.map { "\($0)" } ?? "no root element",
          line: parser.lineNumber))
    }
    return .success(root)
  }

  struct ParseFailure: Error {
    let description: String
    let line: Int
  }

  private final class Builder: NSObject, XMLParserDelegate {
    var root: XMLElement?
    var stack: [XMLElement] = []

    func parser(
      _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
      qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
    ) {
      let element = XMLElement(name: elementName, attributes: attributeDict)
      if let parent = stack.last { parent.children.append(element) } else { root = element }
      stack.append(element)
    }

    func parser(
      _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
      qualifiedName qName: String?
    ) {
      stack.removeLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
      stack.last?.text += string
    }
  }
}
