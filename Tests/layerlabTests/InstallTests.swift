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
}

extension String {
  fileprivate func leftPadded(_ width: Int) -> String {
    String(repeating: " ", count: max(0, width - count)) + self
  }
}
