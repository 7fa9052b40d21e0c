import ArgumentParser
import Foundation
import LabImage

extension LayerLab {
  /// The scratch store itself.
  struct Store: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "store", abstract: "Inspect, check or reset the scratch store.",
      subcommands: [Path.self, Reset.self, Fsck.self])

    struct Path: ParsableCommand {
      static let configuration = CommandConfiguration(
        abstract: "Print the store directory and the workspace beside it.")
      @OptionGroup var options: StoreOptions
      func run() throws {
        print("store:     \(options.storeRoot)")
        print("workspace: \(options.workspaceRoot)")
      }
    }

    struct Reset: ParsableCommand {
      static let configuration = CommandConfiguration(
        abstract: "Remove every image and layer, leaving an empty store.")
      @OptionGroup var options: StoreOptions
      func run() throws {
        let store = ImageStore(root: options.storeRoot)
        try store.reset()
        print("Store \(store.root) is empty.")
      }
    }

    struct Fsck: ParsableCommand {
      static let configuration = CommandConfiguration(
        abstract:
          "Check the store's images, layers and references; remove leftovers of interrupted runs.")
      @OptionGroup var options: StoreOptions
      func run() throws {
        let store = ImageStore(root: options.storeRoot)
        try store.initialize()
        let report = try store.check()
        for line in report.removedLeftovers { print("removed leftover \(line)") }
        for problem in report.problems { printError("problem: \(problem)\n") }
        print(
          "\(report.images) images, \(report.layers) layers, \(report.containers) containers, "
            + "\(report.problems.count) problems")
        if !report.problems.isEmpty { throw ExitCode(1) }
      }
    }
  }
}
