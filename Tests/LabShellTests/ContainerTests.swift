import Foundation
import LabFiles
import LabImage
import LabOutput
import LabShell
import LabTestSupport
import Testing

/// Containers as Docker Engine 27 runs and keeps them, in the sandbox.
@Suite("Containers")
struct ContainerTests {
  func session() throws -> (SandboxSession, ShellFixture) {
    let fixture = try ShellFixture()
    return (try fixture.session(), fixture)
  }

  @Test func aProgramTheImageLacksFailsToStartAndTheContainerStaysCreated() throws {
    var (session, _) = try session()
    _ = session.run("docker pull -q alpine")
    let run = session.run("docker run --name broken alpine frobnicate")
    #expect(run.status == 127)
    #expect(
      run.stderr
        == "docker: Error response from daemon: failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: exec: \"frobnicate\": executable file not found in $PATH: unknown.\n"
    )
    let listed = session.run("docker ps -a --format '{{.Names}} {{.Status}} {{.State}}'")
    #expect(listed.stdout == "broken Created created\n")
    let exitCode = session.run("docker inspect -f '{{.State.ExitCode}}' broken")
    #expect(exitCode.stdout == "127\n")
    // A path that does not exist, and a file that is no program.
    #expect(session.run("docker run alpine /nope").status == 127)
    let notProgram = session.run("docker run alpine /etc/passwd")
    #expect(notProgram.status == 126)
    #expect(notProgram.stderr.contains("exec: \"/etc/passwd\": permission denied: unknown."))
  }

  @Test func theRegistrysFilledProgramsAreExecutable() throws {
    var (session, _) = try session()
    _ = session.run("docker pull -q node:20-alpine")
    let node = session.run("docker run --rm node:20-alpine node --version")
    #expect(node.status == 0, "\(node.stderr)")
    #expect(node.stdout == "v20.17.0\n")
    _ = session.run("docker pull -q busybox")
    let busybox = session.run("docker run --rm busybox ls -l /bin/busybox")
    #expect(busybox.stdout.hasPrefix("-rwxr-xr-x "))
  }

  @Test func theRegistrysImagesHoldTheirPackageManagers() throws {
    var (session, _) = try session()
    let programs = [
      "apt", "apt-get", "apt-cache", "apt-config", "apt-mark", "dpkg", "dpkg-query", "dpkg-deb",
    ]
    let paths = programs.map { "/usr/bin/\($0)" }.joined(separator: " ")
    for image in ["debian:bookworm-slim", "python:3.12-slim", "ubuntu:22.04", "ubuntu:24.04"] {
      _ = session.run("docker pull -q \(image)")
      let found = session.run(
        "docker run --rm \(image) ls -d \(paths) /var/lib/apt/lists /etc/apt/apt.conf.d/docker-clean"
      )
      #expect(found.status == 0, "\(image): \(found.stderr)")
      #expect(session.run("docker run --rm \(image) ls -A /var/lib/apt/lists").stdout == "")
    }
    _ = session.run("docker pull -q node:20-alpine")
    let npm = session.run("docker run --rm node:20-alpine cat /usr/local/bin/npm")
    #expect(npm.stdout == "#!/usr/bin/env node\nrequire('../lib/cli.js')(process)\n")
    let npx = session.run(
      "docker run --rm node:20-alpine ls -l /usr/local/lib/node_modules/npm/bin/npx-cli.js")
    #expect(npx.stdout.hasPrefix("-rwxr-xr-x "))
  }

  @Test func aNameIsOneContainersAndErrorsPointAtTheHelp() throws {
    var (session, _) = try session()
    _ = session.run("docker pull -q alpine")
    #expect(session.run("docker run --name web alpine true").isSuccess)
    let clash = session.run("docker run --name web alpine true")
    #expect(clash.status == 125)
    let id = session.run("docker inspect -f '{{.Id}}' web").stdout.dropLast()
    #expect(
      clash.stderr
        == "docker: Error response from daemon: Conflict. The container name \"/web\" is already in use by container \"\(id)\". You have to remove (or rename) that container to be able to reuse that name.\nSee 'docker run --help'.\n"
    )
  }

  @Test func outputGoesToTheLogByStreamAndRunRmLeavesNothing() throws {
    var (session, _) = try session()
    _ = session.run("docker pull -q alpine")
    let run = session.run("docker run --name talk alpine sh -c 'echo out; echo err >&2'")
    #expect(run.stdout == "out\n")
    #expect(run.stderr == "err\n")
    let logs = session.run("docker logs talk")
    #expect(logs.stdout == "out\n")
    #expect(logs.stderr == "err\n")
    let id = session.run("docker inspect -f '{{.Id}}' talk").stdout.dropLast()
    let file = session.run("sudo cat /var/lib/docker/containers/\(id)/\(id)-json.log")
    #expect(
      file.stdout
        == "{\"log\":\"out\\n\",\"stream\":\"stdout\",\"time\":\"2024-09-01T12:00:01Z\"}\n{\"log\":\"err\\n\",\"stream\":\"stderr\",\"time\":\"2024-09-01T12:00:01Z\"}\n",
      "\(file.stderr)")
    #expect(session.run("docker run --rm alpine echo gone").stdout == "gone\n")
    #expect(session.run("docker ps -aq | wc -l").stdout == "1\n")
  }

  @Test func theStoreHoldsAContainerAsDockerLaysItOut() throws {
    var (session, fixture) = try session()
    _ = session.run("docker pull -q busybox")
    let id = String(session.run("docker create --name kept busybox echo hi").stdout.dropLast())
    #expect(id.count == 64)
    let root = fixture.store.root
    let files = try FileManager.default.contentsOfDirectory(atPath: "\(root)/containers/\(id)")
    #expect(
      Set(files).isSuperset(of: [
        "config.v2.json", "hostconfig.json", "hostname", "hosts", "resolv.conf", "checkpoints",
        "mounts",
      ]))
    let mounts = "\(root)/image/overlay2/layerdb/mounts/\(id)"
    let mountID = try String(contentsOfFile: "\(mounts)/mount-id", encoding: .utf8)
    #expect(try String(contentsOfFile: "\(mounts)/init-id", encoding: .utf8) == mountID + "-init")
    let initFiles = session.run("sudo ls -A /var/lib/docker/overlay2/\(mountID)-init/diff")
    // busybox has no /proc or /sys: the init layer makes them.
    #expect(initFiles.stdout == ".dockerenv  dev  etc  proc  sys\n", "\(initFiles.stderr)")
    let lower = try String(
      contentsOfFile: "\(root)/overlay2/\(mountID)/lower", encoding: .utf8)
    #expect(lower.hasPrefix("l/"))
    #expect(lower.split(separator: ":").count == 2)
    #expect(session.run("docker start -a kept").stdout == "hi\n")
    #expect(try ImageStore(root: root).check().problems.isEmpty)
    #expect(session.run("docker rm kept").stdout == "kept\n")
    #expect(!FileManager.default.fileExists(atPath: "\(root)/containers/\(id)"))
    #expect(!FileManager.default.fileExists(atPath: mounts))
    #expect(!FileManager.default.fileExists(atPath: "\(root)/overlay2/\(mountID)"))
  }

  @Test func imagesAContainerUsesAreKeptUntilForced() throws {
    var (session, _) = try session()
    _ = session.run("docker pull -q busybox")
    _ = session.run("docker run --name user busybox true")
    let user = session.run("docker ps -aq").stdout.dropLast()
    let image = session.run("docker images -q busybox").stdout.dropLast()
    let byName = session.run("docker rmi busybox")
    #expect(
      byName.stderr
        == "Error response from daemon: conflict: unable to remove repository reference \"busybox\" (must force) - container \(user) is using its referenced image \(image)\n"
    )
    let byID = session.run("docker rmi \(image)")
    #expect(
      byID.stderr
        == "Error response from daemon: conflict: unable to delete \(image) (must be forced) - image is being used by stopped container \(user)\n"
    )
    #expect(session.run("docker image prune -a -f").stdout == "Total reclaimed space: 0B\n")
    // Forced, the image goes; the container keeps its layers and shows the ID.
    #expect(session.run("docker rmi -f busybox").isSuccess)
    #expect(session.run("docker ps -a --format '{{.Image}}'").stdout == "\(image)\n")
    #expect(session.run("docker start -a user").isSuccess)
    #expect(session.run("docker rm user").stdout == "user\n")
  }

  @Test func aServerRunsUntilStoppedAndAnswersOnItsPort() throws {
    var (session, _) = try session()
    _ = session.run("docker pull -q nginx")
    let started = session.run("docker run -d --name web -p 8080:80 nginx")
    #expect(started.stdout.count == 65)
    let table = session.run("docker ps")
    let id = String(started.stdout.prefix(12))
    #expect(
      table.stdout == """
        CONTAINER ID   IMAGE     COMMAND                  CREATED        STATUS        PORTS                                     NAMES
        \(id)   nginx     "/docker-entrypoint.…"   1 second ago   Up 1 second   0.0.0.0:8080->80/tcp, [::]:8080->80/tcp   web

        """)
    let page = session.run("curl -s localhost:8080")
    #expect(page.stdout.contains("<title>Welcome to nginx!</title>"))
    let removing = session.run("docker rm web")
    #expect(
      removing.stderr
        == "Error response from daemon: cannot remove container \"/web\": container is running: stop the container before removing or force remove\n"
    )
    #expect(session.run("docker exec web cat /run/nginx.pid").stdout == "1\n")
    #expect(session.run("docker stop web").stdout == "web\n")
    #expect(session.run("docker ps -q").stdout == "")
    let refused = session.run("curl -sS localhost:8080")
    #expect(refused.status == 7)
    let exec = session.run("docker exec web ls")
    #expect(exec.stderr.hasPrefix("Error response from daemon: container "))
    #expect(exec.stderr.hasSuffix(" is not running\n"))
    #expect(session.run("docker kill web").status == 1)
  }

  @Test func theLearnerGoesIntoAContainerAndComesBack() throws {
    var (session, _) = try session()
    _ = session.run("docker pull -q busybox")
    _ = session.run("docker pull -q ubuntu")
    #expect(session.run("docker run -it --name box busybox sh").isSuccess)
    #expect(session.sandbox.shell.prompt == "/ # ")
    _ = session.run("cd /tmp")
    #expect(session.sandbox.shell.prompt == "/tmp # ")
    #expect(session.run("echo inside > here.txt; ls").stdout == "here.txt\n")
    #expect(session.run("docker ps").stderr == "/bin/sh: 1: docker: not found\n")
    let exit = session.run("exit 3")
    #expect(exit.status == 3)
    #expect(session.sandbox.shell.prompt == "learner@layerlab:~$ ")
    #expect(
      session.run("docker ps -a --format '{{.Status}}'").stdout == "Exited (3) 1 second ago\n")
    #expect(session.run("docker diff box").stdout == "C /tmp\nA /tmp/here.txt\n")
    // bash draws its own prompt, and says `exit` as it leaves.
    _ = session.run("docker run -it ubuntu bash")
    let host = session.run("hostname").stdout.dropLast()
    #expect(session.sandbox.shell.prompt == "root@\(host):/# ")
    #expect(session.run("exit").stderr == "exit\n")
  }

  @Test func inspectFollowsTheDaemonsFieldOrder() throws {
    var (session, _) = try session()
    _ = session.run("docker pull -q busybox")
    _ = session.run("docker run --name shown busybox echo hi")
    let keys = session.run("docker inspect shown | grep -E '^        \"' | cut -d'\"' -f2")
    #expect(
      keys.stdout.split(separator: "\n") == [
        "Id", "Created", "Path", "Args", "State", "Image", "ResolvConfPath", "HostnamePath",
        "HostsPath", "LogPath", "Name", "RestartCount", "Driver", "Platform", "MountLabel",
        "ProcessLabel", "AppArmorProfile", "ExecIDs", "HostConfig", "GraphDriver", "Mounts",
        "Config", "NetworkSettings",
      ])
    let state = session.run("docker inspect -f '{{json .State}}' shown")
    #expect(
      state.stdout
        == "{\"Status\":\"exited\",\"Running\":false,\"Paused\":false,\"Restarting\":false,\"OOMKilled\":false,\"Dead\":false,\"Pid\":0,\"ExitCode\":0,\"Error\":\"\",\"StartedAt\":\"2024-09-01T12:00:01Z\",\"FinishedAt\":\"2024-09-01T12:00:01Z\"}\n"
    )
    let config = session.run(
      "docker inspect -f '{{.Config.Hostname}} {{.Config.Cmd}} {{.Config.Image}}' shown")
    let id = session.run("docker ps -alq").stdout.dropLast()
    #expect(config.stdout == "\(id) [echo hi] busybox\n")
    let missing = session.run("docker container inspect nope")
    #expect(missing.stdout == "[]\n")
    #expect(missing.stderr == "Error response from daemon: No such container: nope\n")
  }

  @Test func commitMakesALayerOfTheContainersChanges() throws {
    var (session, _) = try session()
    _ = session.run("docker pull -q alpine")
    _ = session.run("docker run --name maker alpine sh -c 'echo hello > /made.txt; rm /etc/motd'")
    let commit = session.run(
      "docker commit -m 'one file' -c 'CMD [\"cat\", \"/made.txt\"]' maker made:1")
    #expect(commit.stdout.hasPrefix("sha256:"))
    let history = session.run(
      "docker history --format '{{.CreatedBy}}|{{.Size}}|{{.Comment}}' made:1 | head -1")
    #expect(history.stdout == "sh -c echo hello > /made.txt; rm /etc/motd|6B|one file\n")
    #expect(session.run("docker run --rm made:1").stdout == "hello\n")
    let layers = session.run("docker inspect -f '{{len .RootFS.Layers}}' made:1")
    #expect(layers.stdout == "2\n")
    #expect(session.run("docker run --rm made:1 test -e /etc/motd").status == 1)
  }
}
