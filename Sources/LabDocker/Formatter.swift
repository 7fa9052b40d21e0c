import Foundation

/// Docker CLI's formatter: `table` formats with headers through the tab writer, raw
/// templates one line per row, and `json` as `{{json .}}`.
struct Formatter {
  var format: String

  /// Prepares a user's `--format` value as the CLI does (`preFormat`).
  init(_ format: String) {
    if format == "json" {
      self.format = "{{json .}}"
      return
    }
    self.format = format
  }

  var isTable: Bool { format.hasPrefix("table") }

  private var templateText: String {
    var text = isTable ? String(format.dropFirst(5)) : format
    text = text.trimming([" "])
    return text.replacingOccurrences(of: "\\t", with: "\t").replacingOccurrences(
      of: "\\n", with: "\n")
  }

  /// Renders every row, and the header for a table.
  ///
  /// - Parameters:
  ///   - rows: The row contexts.
  ///   - header: Header text for each field name, used when the format is a table.
  /// - Returns: The output, or Docker's message for a bad template.
  func render(
    _ rows: [TemplateValue], header: [String: String]
  ) -> Result<String, TemplateError> {
    let template: GoTemplate
    do {
      template = try GoTemplate(templateText)
    } catch {
      return .failure(error)
    }
    var body = ""
    do {
      for row in rows { body += try template.execute(row) + "\n" }
    } catch {
      return .failure(error)
    }
    guard isTable else { return .success(body) }
    let headerContext = TemplateValue.context(
      header.sorted { $0.key < $1.key }.map { TemplateValue.Field($0.key, .string($0.value)) })
    let headerLine = (try? template.execute(headerContext, isHeader: true)) ?? ""
    return .success(TabWriter().format(headerLine + "\n" + body))
  }
}

extension String {
  /// The string without leading and trailing characters of `set`.
  func trimming(_ set: Set<Character>) -> String {
    String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
  }
}
