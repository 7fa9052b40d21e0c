/// Where a stage starts.
enum StageBase: Equatable {
  case scratch
  case image(ImageReference)
  case stage(Int)
}

/// One `FROM` and the instructions after it.
struct BuildStage {
  var from: Instruction
  var name: String?
  var index: Int
  var base: StageBase
  var instructions: [Instruction]

  var baseIsStage: Bool {
    if case .stage = base { return true }
    return false
  }

  /// How BuildKit names the stage in progress lines.
  var displayName: String { name ?? "stage-\(index)" }
}

/// A Dockerfile split into stages, with the stages a target needs.
struct BuildPlan {
  var metaArguments: [Instruction] = []
  var metaArgumentValues: [String: String] = [:]
  var stages: [BuildStage] = []
  var targetIndex: Int

  init(_ dockerfile: Dockerfile, options: BuildOptions) throws {
    var stages: [BuildStage] = []
    var instructions = dockerfile.instructions[...]
    while let first = instructions.first, first.keyword == .arg {
      metaArguments.append(first)
      instructions.removeFirst()
      for (name, value) in Self.argumentPairs(first, known: metaArgumentValues) {
        metaArgumentValues[name] = options.buildArgs[name] ?? value
      }
    }
    guard let first = instructions.first else {
      throw BuildFailure(.request, "no build stage in current context")
    }
    guard first.keyword == .from else {
      throw BuildFailure(.request, "no build stage in current context", line: first.line)
    }
    for instruction in instructions {
      if instruction.keyword == .healthcheck {
        do {
          _ = try BuildRun.healthcheckOptions(instruction)
        } catch {
          throw BuildFailure(
            .request, error.description, line: instruction.line, endLine: instruction.endLine)
        }
      }
      if instruction.keyword == .from {
        let expansion = WordExpansion(environment: metaArgumentValues)
        let words = expansion.words(instruction.arguments)
        guard words.count == 1 || (words.count == 3 && words[1].lowercased() == "as") else {
          throw BuildFailure(
            .request,
            "dockerfile parse error on line \(instruction.line): FROM requires either one or three arguments",
            line: instruction.line)
        }
        let name = words.count == 3 ? words[2].lowercased() : nil
        let baseName = words[0]
        let base: StageBase
        if baseName.lowercased() == "scratch" {
          base = .scratch
        } else if let stage = stages.firstIndex(where: { $0.name == baseName.lowercased() }) {
          base = .stage(stage)
        } else {
          do {
            base = .image(try ImageReference(parsing: baseName))
          } catch {
            throw BuildFailure(
              .step, "failed to solve: failed to parse stage name \"\(baseName)\": \(error)",
              line: instruction.line)
          }
        }
        stages.append(
          BuildStage(
            from: instruction, name: name, index: stages.count, base: base, instructions: []))
      } else {
        stages[stages.count - 1].instructions.append(instruction)
      }
    }
    if let target = options.target {
      guard let index = stages.firstIndex(where: { $0.name == target.lowercased() }) else {
        throw BuildFailure(
          .request, "failed to solve: target stage \"\(target)\" could not be found")
      }
      targetIndex = index
    } else {
      targetIndex = stages.count - 1
    }
    self.stages = stages
  }

  /// The stages the target depends on (by `FROM` or `COPY --from`), in order, ending with it.
  var neededStages: [Int] {
    var needed: Set<Int> = []
    func visit(_ index: Int) {
      guard needed.insert(index).inserted else { return }
      if case .stage(let parent) = stages[index].base { visit(parent) }
      for instruction in stages[index].instructions {
        if let from = instruction.flag("from") {
          if let stage = stages.firstIndex(where: { $0.name == from.lowercased() }) {
            visit(stage)
          } else if let number = Int(from), number >= 0, number < stages.count {
            visit(number)
          }
        }
      }
    }
    visit(targetIndex)
    return needed.sorted()
  }

  /// `ARG NAME` or `ARG NAME=default`, several per line.
  static func argumentPairs(_ instruction: Instruction, known: [String: String]) -> [(
    String, String?
  )] {
    WordExpansion(environment: known).words(instruction.arguments).map {
      word -> (String, String?) in
      guard let equals = word.firstIndex(of: "=") else { return (word, nil) }
      return (String(word[..<equals]), String(word[word.index(after: equals)...]))
    }
  }
}

/// Byte counts as BuildKit's progress prints them (`147B`, `1.23kB`).
enum BuildUnits {
  static func bytes(_ count: Int64) -> String {
    let units = ["B", "kB", "MB", "GB", "TB"]
    var value = Double(count)
    var unit = 0
    while value >= 1000 && unit < units.count - 1 {
      value /= 1000
      unit += 1
    }
    if unit == 0 { return "\(count)B" }
    let hundredths = Int((value * 100).rounded())
    let fraction = hundredths % 100
    return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)\(units[unit])"
  }
}
