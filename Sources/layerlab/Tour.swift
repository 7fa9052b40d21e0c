import ArgumentParser
import Foundation
import LabDocker
import LabFiles
import LabImage
import LabOutput
import LabShell

extension LayerLab {
  /// The default job until the bundled workshop exists: a scripted tour of the toolkit.
  struct Tour: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Take a short tour of the image toolkit in a fresh scratch store.")

    static let script = [
      "docker pull nginx",
      "docker image ls",
      "docker pull python:3.9-slim",
      "docker images",
      "docker inspect -f {{.Config.Cmd}} nginx",
      "docker inspect --format '{{json .RootFS}}' python:3.9-slim",
      "docker tag nginx web:1",
      "docker history web:1",
      "docker rmi web:1",
      "docker image ls --format '{{.Repository}}:{{.Tag}}\\t{{.Size}}'",
    ]

    func run() throws {
      ScratchDirectory.removeStale()
      let root = try ScratchDirectory.make("tour")
      defer { ScratchDirectory.remove(root) }
      let options = try StoreOptions.parse(["--store", root + "/store"])
      var session = try options.session()
      printOut(
        "A tour of the LayerLab image toolkit: Docker's image commands, offline and instant.\n\n")
      for line in Self.script {
        printOut("$ \(line)\n")
        let result = session.run(line)
        emit(result)
        printOut("\n")
        guard result.isSuccess else { throw ExitCode(result.status) }
      }
      printOut("Try your own: layerlab exec -- 'docker image ls'\n")
    }
  }
}
