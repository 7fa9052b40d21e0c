/// One flag of a docker command, as pflag declares it.
struct FlagSpec: Sendable {
  enum Kind: Sendable {
    case bool
    case string
    /// Repeatable: each use adds a value.
    case strings
  }

  var long: String
  var short: Character?
  var kind: Kind
  var help: String
  /// Shown in help after the name: `string`, `filter`, `list`.
  var valueName: String = "string"
  var defaultText: String?

  init(
    _ long: String, _ short: Character? = nil, _ kind: Kind, _ help: String,
    valueName: String? = nil, defaultText: String? = nil
  ) {
    self.long = long
    self.short = short
    self.kind = kind
    self.help = help
    self.valueName = valueName ?? (kind == .strings ? "list" : "string")
    self.defaultText = defaultText
  }
}

/// The flags and arguments given to a command.
struct ParsedFlags: Sendable {
  var values: [String: [String]] = [:]
  var arguments: [String] = []

  func has(_ name: String) -> Bool { values[name] != nil }

  func bool(_ name: String) -> Bool {
    guard let last = values[name]?.last else { return false }
    return last == "true"
  }

  func string(_ name: String) -> String? { values[name]?.last }
  func strings(_ name: String) -> [String] { values[name] ?? [] }
}

/// A usage error, printed with the command's `See '… --help'.` line and exit status 125.
struct FlagError: Error, Sendable {
  var message: String
}

/// Parses arguments the way pflag does: `--name=value`, `--name value`, `-abc`, `-fvalue`,
/// flags anywhere among the arguments, and `--` to end them.
///
/// With `interspersed` false (`run`, `create`, `exec`), flags end at the first argument: what
/// follows the image is the container's command, flags and all.
func parseFlags(_ arguments: [String], specs: [FlagSpec], interspersed: Bool = true)
  throws(FlagError) -> ParsedFlags
{
  var parsed = ParsedFlags()
  var index = 0
  func spec(long name: String) -> FlagSpec? { specs.first { $0.long == name } }
  func spec(short name: Character) -> FlagSpec? { specs.first { $0.short == name } }
  while index < arguments.count {
    let argument = arguments[index]
    index += 1
    if argument == "--" {
      parsed.arguments += arguments[index...]
      break
    }
    if !interspersed, !argument.hasPrefix("-") || argument == "-" {
      parsed.arguments += arguments[(index - 1)...]
      break
    }
    if argument.hasPrefix("--") {
      let body = argument.dropFirst(2)
      let name = String(body.prefix { $0 != "=" })
      let inline = body.contains("=") ? String(body.drop { $0 != "=" }.dropFirst()) : nil
      guard let flag = spec(long: name) else { throw FlagError(message: "unknown flag: --\(name)") }
      switch flag.kind {
      case .bool:
        if let inline {
          parsed.values[name, default: []].append(try parseBool(inline, for: flag))
        } else {
          parsed.values[name, default: []].append("true")
        }
      case .string, .strings:
        if let inline {
          parsed.values[name, default: []].append(inline)
        } else {
          guard index < arguments.count else {
            throw FlagError(message: "flag needs an argument: --\(name)")
          }
          parsed.values[name, default: []].append(arguments[index])
          index += 1
        }
      }
      continue
    }
    if argument.hasPrefix("-") && argument.count > 1 {
      var letters = Substring(argument.dropFirst())
      while let letter = letters.first {
        letters.removeFirst()
        guard let flag = spec(short: letter) else {
          throw FlagError(message: "unknown shorthand flag: '\(letter)' in \(argument)")
        }
        if flag.kind == .bool {
          if letters.hasPrefix("=") {
            parsed.values[flag.long, default: []].append(
              try parseBool(String(letters.dropFirst()), for: flag))
            letters = ""
          } else {
            parsed.values[flag.long, default: []].append("true")
          }
          continue
        }
        var value = String(letters)
        if value.hasPrefix("=") { value.removeFirst() }
        if value.isEmpty {
          guard index < arguments.count else {
            throw FlagError(message: "flag needs an argument: '\(letter)' in -\(letter)")
          }
          value = arguments[index]
          index += 1
        }
        parsed.values[flag.long, default: []].append(value)
        letters = ""
      }
      continue
    }
    parsed.arguments.append(argument)
  }
  return parsed
}

/// A boolean flag's `=value` as Go's `strconv.ParseBool` reads it: `"true"` or `"false"`, or
/// the error pflag reports for anything else.
private func parseBool(_ value: String, for flag: FlagSpec) throws(FlagError) -> String {
  if ["1", "t", "T", "TRUE", "true", "True"].contains(value) { return "true" }
  if ["0", "f", "F", "FALSE", "false", "False"].contains(value) { return "false" }
  throw FlagError(
    message:
      "invalid argument \"\(value)\" for \"\(flagLabel(flag))\" flag: strconv.ParseBool: parsing \"\(value)\": invalid syntax"
  )
}

func flagLabel(_ flag: FlagSpec) -> String {
  flag.short.map { "-\($0), --\(flag.long)" } ?? "--\(flag.long)"
}
