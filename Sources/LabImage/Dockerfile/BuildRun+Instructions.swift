import Foundation
import LabArchive
import LabFiles
import LabJSON

extension BuildRun {
  /// Applies one instruction to a stage, adding its layer and history entry.
  mutating func apply(
    _ instruction: Instruction, to state: inout StageState, context: inout BuildContext,
    states: [Int: StageState], plan: BuildPlan, vertex: inout BuildVertex
  ) throws {
    var environment = state.config.environmentMap
    for (name, value) in state.arguments where environment[name] == nil {
      environment[name] = value
    }
    let expansion = WordExpansion(environment: environment)
    let keyword = instruction.keyword
    let arguments = instruction.arguments
    switch keyword {
    case .env:
      let pairs = Self.keyValuePairs(arguments, expansion: expansion)
      for (name, value) in pairs { state.config.setEnvironment(name, value) }
      let text = pairs.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
      try metadata(&state, "ENV \(text)", instruction: instruction)
    case .arg:
      for (name, value) in BuildPlan.argumentPairs(instruction, known: environment) {
        state.arguments[name] = options.buildArgs[name] ?? value ?? state.arguments[name] ?? ""
      }
      let text = BuildPlan.argumentPairs(instruction, known: environment).map { name, _ in
        "\(name)=\(state.arguments[name] ?? "")"
      }.joined(separator: " ")
      try metadata(&state, "ARG \(text)", instruction: instruction)
    case .label:
      let pairs = Self.keyValuePairs(arguments, expansion: expansion)
      for (name, value) in pairs { state.config.setLabel(name, value) }
      let text = pairs.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
      try metadata(&state, "LABEL \(text)", instruction: instruction)
    case .maintainer:
      state.author = arguments
      try metadata(&state, "MAINTAINER \(arguments)", instruction: instruction)
    case .expose:
      var ports: [String] = []
      for word in expansion.words(arguments) {
        let port = word.contains("/") ? word.lowercased() : "\(word)/tcp"
        guard let number = Int(port.split(separator: "/")[0].split(separator: "-")[0]), number > 0,
          number < 65536
        else {
          throw BuildFailure(.step, "failed to solve: invalid containerPort: \(word)")
        }
        ports.append(port)
        state.config.addToSet("ExposedPorts", port)
      }
      let map = "map[" + ports.sorted().map { "\($0):{}" }.joined(separator: " ") + "]"
      try metadata(
        &state, buildKit: "EXPOSE \(map)", legacy: "EXPOSE \(ports.joined(separator: " "))",
        instruction: instruction)
    case .user:
      let user = expansion.word(arguments)
      state.config["User"] = .string(user)
      try metadata(&state, "USER \(user)", instruction: instruction)
    case .stopsignal:
      let signal = expansion.word(arguments)
      state.config["StopSignal"] = .string(signal)
      try metadata(&state, "STOPSIGNAL \(signal)", instruction: instruction)
    case .volume:
      let volumes = instruction.jsonArguments ?? expansion.words(arguments)
      for volume in volumes { state.config.addToSet("Volumes", volume) }
      let text = "[" + volumes.joined(separator: " ") + "]"
      try metadata(&state, "VOLUME \(text)", instruction: instruction)
    case .cmd, .entrypoint:
      let command = shellOrExec(instruction, state: state)
      state.config[keyword == .cmd ? "Cmd" : "Entrypoint"] = .array(command.map(JSONValue.string))
      if keyword == .cmd {
        state.commandWasSet = true
      } else if !state.commandWasSet {
        state.config["Cmd"] = nil
      }
      let quoted =
        "[" + command.map { JSONValue.quote($0, escapingHTML: false) }.joined(separator: " ") + "]"
      try metadata(&state, "\(keyword) \(quoted)", instruction: instruction)
    case .shell:
      let shell = instruction.jsonArguments ?? []
      state.config["Shell"] = .array(shell.map(JSONValue.string))
      let text = "[" + shell.joined(separator: " ") + "]"
      try metadata(&state, "SHELL \(text)", instruction: instruction)
    case .onbuild:
      var triggers = state.config["OnBuild"]?.arrayValue ?? []
      triggers.append(.string(arguments))
      state.config["OnBuild"] = .array(triggers)
      try metadata(&state, "ONBUILD \(arguments)", instruction: instruction)
    case .healthcheck:
      try healthcheck(instruction, state: &state)
    case .workdir:
      try workdir(instruction, expansion: expansion, state: &state, vertex: &vertex)
    case .copy, .add:
      try copy(
        instruction, expansion: expansion, state: &state, context: context, states: states,
        plan: plan, vertex: &vertex)
    case .run:
      try run(instruction, environment: environment, state: &state, vertex: &vertex)
    default:
      throw BuildFailure(.step, "\(keyword) is not supported")
    }
  }

  // MARK: - Metadata instructions

  /// Records an instruction that changes only the config, and reads the same in both
  /// builders' histories.
  mutating func metadata(_ state: inout StageState, _ text: String, instruction: Instruction)
    throws
  {
    try metadata(&state, buildKit: text, legacy: text, instruction: instruction)
  }

  /// Records an instruction that changes only the config.
  mutating func metadata(
    _ state: inout StageState, buildKit: String, legacy legacyText: String, instruction: Instruction
  ) throws {
    let key = stepKey(state, "\(buildKit)")
    let created = options.noCache ? createdText : cache.entry(for: key)?.created ?? createdText
    cache.record(.init(diffID: nil, created: created), for: key)
    state.lastStepKey = key
    if legacy {
      state.lastCommand = ["/bin/sh", "-c", "#(nop) ", legacyText]
      state.appendHistory(
        "/bin/sh -c #(nop)  \(legacyText)", created: createdText, emptyLayer: true, legacy: true)
    } else {
      state.appendHistory(buildKit, created: created, emptyLayer: true, legacy: false)
    }
  }

  func stepKey(_ state: StageState, _ text: String) -> String {
    let parent = state.lastStepKey.isEmpty ? state.stageKey : state.lastStepKey
    let arguments = state.arguments.keys.sorted().map { "\($0)=\(state.arguments[$0] ?? "")" }
      .joined(separator: " ")
    return Digest.of("\(parent)\n\(text)\n\(arguments)\n\(legacy ? "legacy" : "buildkit")").hex
  }

  func shellOrExec(_ instruction: Instruction, state: StageState) -> [String] {
    if let json = instruction.jsonArguments { return json }
    if instruction.keyword == .run, let heredoc = instruction.heredocs.first {
      // `RUN <<EOF`: the document is the script.
      let shell = state.config["Shell"]?.arrayValue?.compactMap(\.stringValue) ?? ["/bin/sh", "-c"]
      return shell + [heredoc.content]
    }
    let shell = state.config["Shell"]?.arrayValue?.compactMap(\.stringValue) ?? ["/bin/sh", "-c"]
    return shell + [instruction.arguments]
  }

  static func keyValuePairs(_ text: String, expansion: WordExpansion) -> [(String, String)] {
    let words = expansion.words(text)
    // Legacy form: `ENV NAME value with spaces`.
    if let first = words.first, !first.contains("=") {
      let rest = text.drop { !$0.isWhitespace }.drop { $0.isWhitespace }
      return [(first, expansion.word(String(rest)))]
    }
    return words.map { word in
      let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
      return (parts[0], parts.count > 1 ? parts[1] : "")
    }
  }

  /// HEALTHCHECK's words after its options, and its options as BuildKit reads them when it
  /// parses the Dockerfile: durations as Go's `time.ParseDuration`, at least 1ms unless 0, and
  /// retries as a non-negative 32-bit integer.
  static func healthcheckOptions(_ instruction: Instruction) throws(DockerfileError) -> (
    words: [String], members: [(String, JSONValue)]
  ) {
    var words = instruction.arguments.split(separator: " ", omittingEmptySubsequences: true).map(
      String.init)
    var options: [String: String] = [:]
    for flag in instruction.flags { options[flag.name] = flag.value }
    while let first = words.first, first.hasPrefix("--") {
      let parts = first.dropFirst(2).split(separator: "=", maxSplits: 1).map(String.init)
      options[parts[0]] = parts.count > 1 ? parts[1] : ""
      words.removeFirst()
    }
    let line = instruction.line
    var members: [(String, JSONValue)] = []
    for (name, key) in [
      ("interval", "Interval"), ("timeout", "Timeout"), ("start-period", "StartPeriod"),
      ("start-interval", "StartInterval"),
    ] {
      guard let value = options[name] else { continue }
      let nanoseconds = value.isEmpty ? 0 : try GoDuration.nanoseconds(value, line: line)
      guard nanoseconds == 0 || nanoseconds >= 1_000_000 else {
        throw .parse(line: line, message: "Interval \"\(name)\" cannot be less than 1ms")
      }
      // Zero is Go's omitted empty value.
      if nanoseconds != 0 { members.append((key, .int(nanoseconds))) }
    }
    if let retries = options["retries"], !retries.isEmpty {
      guard let count = Int32(retries) else {
        let digits =
          retries.hasPrefix("-") || retries.hasPrefix("+")
          ? retries.dropFirst() : Substring(retries)
        let syntax = digits.isEmpty || !digits.allSatisfy { $0.isASCII && $0.isNumber }
        throw .parse(
          line: line,
          message: "strconv.ParseInt: parsing \"\(retries)\": "
            + (syntax ? "invalid syntax" : "value out of range"))
      }
      guard count >= 0 else {
        throw .parse(line: line, message: "--retries cannot be negative (\(count))")
      }
      if count > 0 { members.append(("Retries", .int(count))) }
    }
    return (words, members)
  }

  mutating func healthcheck(_ instruction: Instruction, state: inout StageState) throws {
    let (words, options) = try Self.healthcheckOptions(instruction)
    guard let kind = words.first?.uppercased() else {
      throw BuildFailure(.step, "HEALTHCHECK requires an argument")
    }
    var test: [String]
    if kind == "NONE" {
      test = ["NONE"]
    } else {
      let rest =
        instruction.arguments.range(of: words[0]).map {
          String(instruction.arguments[$0.upperBound...]).trimmingCharacters(in: .whitespaces)
        } ?? ""
      if rest.hasPrefix("["), let data = rest.data(using: .utf8),
        let json = try? JSONSerialization.jsonObject(with: data) as? [String]
      {
        test = ["CMD"] + json
      } else {
        test = ["CMD-SHELL", rest]
      }
    }
    state.config["Healthcheck"] = .object([("Test", .array(test.map(JSONValue.string)))] + options)
    let quoted =
      "[" + test.map { JSONValue.quote($0, escapingHTML: false) }.joined(separator: " ") + "]"
    try metadata(&state, "HEALTHCHECK &{\(quoted)}", instruction: instruction)
  }
}
