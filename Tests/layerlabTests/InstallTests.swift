import Foundation
import LabTestSupport
import Testing

/// The executable alone, copied where a user installs a command-line tool.
@Suite("One binary, installed like any command-line tool")
struct InstallTests {
  /// A copy of the built executable alone in an empty folder, run from another folder with
  /// nothing of the package in its environment.
  struct Installed {
    let folder: String
    let binary: String
    let home: String
    let elsewhere: String

    init() throws {
      let root = try TestSupport.scratchDirectory("install")
      folder = "\(root)/bin"
      binary = "\(folder)/layerlab"
      home = "\(root)/home"
      elsewhere = "\(root)/elsewhere"
      for directory in [folder, home, elsewhere] {
        try FileManager.default.createDirectory(
          atPath: directory, withIntermediateDirectories: true)
      }
      try FileManager.default.copyItem(atPath: ExecTests.binary, toPath: binary)
    }

    func run(_ arguments: [String], input: String? = nil) throws -> ToolOutput {
      // `env -i`: no LAYERLAB_REGISTRY, no LAYERLAB_LESSONS, nothing inherited.
      try TestSupport.run(
        "/usr/bin/env",
        [
          "-i", "HOME=\(home)", "PATH=/usr/bin:/bin", "XDG_DATA_HOME=\(home)/data", "NO_COLOR=1",
          binary,
        ] + arguments, input: input, directory: elsewhere)
    }
  }

  static var bundledLessons: [String] {
    let names =
      (try? FileManager.default.contentsOfDirectory(
        atPath: "\(TestSupport.packageRoot)/lessons")) ?? []
    return names.filter { $0.hasSuffix(".md") && $0 != "README.md" }.sorted()
  }

  @Test func theCopiedBinaryListsTheWorkshopAndRunsALesson() throws {
    let installed = try Installed()
    let workshop = try installed.run([])
    #expect(workshop.status == 0, "\(workshop.stderr)")
    #expect(workshop.stdout.hasPrefix("LayerLab workshop: container images, hands on.\n\n"))
    #expect(workshop.stdout.contains("   1. Lesson 1: What an image is\n"))
    let count = Self.bundledLessons.count
    #expect(count >= 10)
    #expect(workshop.stdout.contains("  \(String(count).leftPadded(2)). "))
    #expect(!workshop.stdout.contains("  \(String(count + 1).leftPadded(2)). "))

    // The lesson's first two steps with Enter: `docker image ls`, then a pull from the
    // registry inside the executable.
    let lesson = try installed.run(["run", "1"], input: "\n\n")
    #expect(lesson.status == 0, "\(lesson.stderr)")
    #expect(lesson.stdout.contains("Status: Downloaded newer image for alpine:latest"))
    #expect(lesson.stdout.components(separatedBy: "✓ matches the lesson").count - 1 == 2)
    #expect(
      lesson.stdout.contains(
        "Your progress is saved: `layerlab run bundled:lessons/01-images.md` goes on from here."))
    #expect(lesson.stderr == "")

    // Progress is kept in the data folder, wherever the executable runs from.
    let again = try installed.run(["run", "bundled:lessons/01-images.md"], input: "")
    #expect(again.stdout.contains("Welcome back: you are at step 3."))
    let listed = try installed.run([])
    #expect(listed.stdout.contains("   1. Lesson 1: What an image is  (at step "))

    // Nothing was unpacked beside the executable or where it ran.
    #expect(try FileManager.default.contentsOfDirectory(atPath: installed.folder) == ["layerlab"])
    #expect(try FileManager.default.contentsOfDirectory(atPath: installed.elsewhere) == [])
  }

  @Test func theCopiedBinaryPullsBuildsAndInstallsPackages() throws {
    let installed = try Installed()
    let store = "\(installed.home)/store"
    let pull = try installed.run(["exec", "--store", store, "--", "docker pull -q python:3.9-slim"])
    #expect(pull.status == 0, "\(pull.stderr)")
    #expect(pull.stdout == "docker.io/library/python:3.9-slim\n")
    // pip reads its offline index from the executable too.
    let install = try installed.run([
      "exec", "--store", store, "--", "docker run --rm python:3.9-slim pip install --quiet flask",
    ])
    #expect(install.status == 0, "\(install.stderr)")
    let missing = try installed.run(["exec", "--store", store, "--", "docker pull nosuch"])
    #expect(missing.status == 1)
    #expect(
      missing.stderr
        == "Error response from daemon: pull access denied for nosuch, repository does not exist or may require 'docker login': denied: requested access to the resource is denied\n"
    )
  }

  static let denied =
    "Error response from daemon: pull access denied for nosuch, repository does not exist or may require 'docker login': denied: requested access to the resource is denied\n"

  @Test func withoutATerminalAFailedPullSaysOnlyWhatDockerSays() throws {
    let directory = try TestSupport.scratchDirectory("hint")
    let environment = [
      "LAYERLAB_REGISTRY": TestSupport.registryRoot, "XDG_DATA_HOME": "\(directory)/data",
      "NO_COLOR": "1",
    ]
    let shell = try TestSupport.run(
      ExecTests.binary, ["shell", "--store", "\(directory)/store"], input: "docker pull nosuch\n",
      environment: environment)
    #expect(shell.stderr == Self.denied)
    let exec = try TestSupport.run(
      ExecTests.binary, ["exec", "--store", "\(directory)/store", "--", "docker pull nosuch"],
      environment: environment)
    #expect(exec.stderr == Self.denied)
    let lesson = "\(directory)/short.md"
    try Data(RunTests.lesson.utf8).write(to: URL(fileURLWithPath: lesson))
    let stepper = try TestSupport.run(
      ExecTests.binary, ["run", lesson], input: "docker pull nosuch\n", environment: environment)
    #expect(stepper.stderr == Self.denied)
    // `check` compares Docker's own output.
    let checked = "\(directory)/missing.md"
    try Data(
      """
      # Missing

      ```console
      $ docker pull nosuch
      Using default tag: latest
      \(Self.denied)```
      """.utf8
    ).write(to: URL(fileURLWithPath: checked))
    let check = try TestSupport.run(ExecTests.binary, ["check", checked], environment: environment)
    #expect(check.status == 0, "\(check.stdout)")
    #expect(!check.stdout.contains("embedded registry has"))
  }

  @Test func versionAndCompletionScripts() throws {
    let version = try TestSupport.run(ExecTests.binary, ["--version"])
    #expect(version.status == 0)
    #expect(
      version.stdout.wholeMatch(of: /layerlab version \d+\.\d+\.\d+\n/) != nil, "\(version.stdout)")

    // Bash completes subcommands, and lesson files and folders after `run`.
    let directory = try TestSupport.scratchDirectory("completion")
    try FileManager.default.createDirectory(
      atPath: "\(directory)/course", withIntermediateDirectories: true)
    for name in ["intro.md", "notes.txt"] {
      try Data().write(to: URL(fileURLWithPath: "\(directory)/\(name)"))
    }
    let script = try TestSupport.run(ExecTests.binary, ["--generate-completion-script", "bash"])
    #expect(script.status == 0)
    try Data(script.stdout.utf8).write(to: URL(fileURLWithPath: "\(directory)/layerlab.bash"))
    let complete = #"""
      source layerlab.bash
      complete_line() {
        COMP_LINE="$1"; COMP_POINT=${#COMP_LINE}; read -ra COMP_WORDS <<< "$1"
        [[ "$1" == *" " ]] && COMP_WORDS+=("")
        COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMPREPLY=()
        _layerlab layerlab "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
        printf '%s\n' "${COMPREPLY[@]}" | sort -u | tr '\n' ' '; echo
      }
      complete_line "layerlab ch"
      complete_line "layerlab run "
      """#
    let completed = try TestSupport.run("/bin/bash", ["-c", complete], directory: directory)
    #expect(completed.stdout == "check \ncourse intro.md \n", "\(completed.stderr)")

    let zsh = try TestSupport.run(ExecTests.binary, ["--generate-completion-script", "zsh"])
    #expect(zsh.stdout.hasPrefix("#compdef layerlab"))
    #expect(zsh.stdout.contains(#"':lesson:_files -g '\''*.md'\'''"#))
    let fish = try TestSupport.run(ExecTests.binary, ["--generate-completion-script", "fish"])
    #expect(fish.stdout.contains(#""layerlab run" -eq 1"#))
    #expect(fish.stdout.contains("__fish_complete_directories"))
  }

  @Test func aMistypedCommandSuggestsTheClosest() throws {
    let typo = try TestSupport.run(ExecTests.binary, ["chek", "lessons/"])
    #expect(typo.status == 2)
    #expect(typo.stdout == "")
    #expect(
      typo.stderr
        == "layerlab: 'chek' is not a layerlab command.\nSee 'layerlab --help'.\n\nDid you mean this?\n\tcheck\n"
    )
    let two = try TestSupport.run(ExecTests.binary, ["rn"])
    #expect(two.stderr.hasSuffix("\nDid you mean this?\n\trun\n"))
    let far = try TestSupport.run(ExecTests.binary, ["frobnicate"])
    #expect(far.status == 2)
    #expect(
      far.stderr == "layerlab: 'frobnicate' is not a layerlab command.\nSee 'layerlab --help'.\n")
    let file = try TestSupport.run(ExecTests.binary, ["my-lesson.md"])
    #expect(file.stderr.hasSuffix("Did you mean this?\n\trun my-lesson.md\n"))
    // Real commands and options are untouched.
    let help = try TestSupport.run(ExecTests.binary, ["help", "check"])
    #expect(help.status == 0)
    #expect(help.stdout.contains("USAGE: layerlab check"))
  }
}

extension String {
  fileprivate func leftPadded(_ width: Int) -> String {
    String(repeating: " ", count: max(0, width - count)) + self
  }
}
