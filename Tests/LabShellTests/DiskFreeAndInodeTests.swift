import Foundation
import LabOutput
import LabShell
import LabTestSupport
import Testing

/// `df` and `ls -i`, whose real counterparts print the host's disks and inode numbers: the
/// sandbox's own are checked against what they are meant to be.
@Suite("df and ls -i in the sandbox")
struct DiskFreeAndInodeTests {
  /// The numbers of `df`'s one row: total, used and available 1K-blocks, and Use%.
  static func row(_ output: CommandOutput) throws -> (Int, Int, Int, Int) {
    let lines = output.stdout.split(separator: "\n")
    try #require(lines.count == 2, "\(output.stdout)")
    let fields = lines[1].split(separator: " ")
    try #require(fields.count == 6)
    #expect(fields[0] == "overlay")
    #expect(fields[5] == "/")
    return (
      try #require(Int(fields[1])), try #require(Int(fields[2])), try #require(Int(fields[3])),
      try #require(Int(fields[4].dropLast()))
    )
  }

  @Test func dfPrintsOneOverlayOfFourGibibytesInGNUsColumns() throws {
    let fixture = try ShellFixture()
    let output = fixture.ours("df")
    #expect(output.status == 0)
    // The used column is as wide as its number, five at least.
    let header = try #require(output.stdout.split(separator: "\n").first)
    #expect(
      header.range(
        of: #"^Filesystem     1K-blocks +Used Available Use% Mounted on$"#,
        options: .regularExpression) != nil, "\(header)")
    let (total, used, available, percent) = try Self.row(output)
    #expect(total == 4_194_304)
    #expect(used > 0)
    #expect(used + available == total)
    #expect(percent == (used * 100 + total - 1) / total)
  }

  @Test func dfCountsWhatTheSandboxHoldsInFourKibibyteBlocks() throws {
    let fixture = try ShellFixture()
    let before = try Self.row(fixture.ours("df"))
    // 100 KiB and one byte: 26 blocks of 4 KiB.
    let after = try Self.row(fixture.ours("seq 1 20000 | head -c 102401 > big.txt; df ."))
    #expect(after.1 - before.1 == 104)
    #expect(after.2 == before.2 - 104)
    // The same table again: nothing about it depends on the host, or on the path asked of.
    #expect(try Self.row(fixture.ours("df")) == after)
  }

  @Test func dfHumanReadableAndItsErrors() throws {
    let fixture = try ShellFixture()
    let human = fixture.ours("df -h")
    let lines = human.stdout.split(separator: "\n")
    #expect(lines.first == "Filesystem      Size  Used Avail Use% Mounted on")
    #expect(lines.count == 2 && lines[1].hasPrefix("overlay         4.0G "), "\(human.stdout)")
    #expect(lines.last?.hasSuffix("% /") == true)
    let typed = fixture.ours("df -T /tmp")
    #expect(typed.stdout.hasPrefix("Filesystem     Type    1K-blocks "), "\(typed.stdout)")
    #expect(typed.stdout.contains("\noverlay        overlay   4194304 "))
    let missing = fixture.ours("df nosuch")
    #expect(missing.stdout.isEmpty)
    #expect(
      missing.stderr
        == "df: nosuch: No such file or directory\ndf: no file systems processed\n")
    #expect(missing.status == 1)
  }

  @Test func lsInodeNumbersAreStableAndAgreeWithStat() throws {
    let fixture = try ShellFixture()
    let first = fixture.ours("ls -i1 app.py words.txt")
    let again = fixture.ours("ls -i1 app.py words.txt")
    #expect(first.status == 0)
    #expect(first.stdout == again.stdout)
    // One a line, the inode right-aligned before the name.
    let lines = first.stdout.split(separator: "\n")
    try #require(lines.count == 2, "\(first.stdout)")
    let app = try #require(lines[0].split(separator: " ").first)
    let words = try #require(lines[1].split(separator: " ").first)
    #expect(lines[0] == "\(app) app.py")
    #expect(lines[1] == "\(words) words.txt")
    #expect(app != words)
    #expect(app.count == 7 && words.count == 7)
    #expect(fixture.ours("stat -c %i app.py").stdout == "\(app)\n")
    // The number is the sandbox path's, not the host file's: the same in another workspace.
    let other = try ShellFixture()
    #expect(other.ours("ls -i app.py").stdout == "\(app) app.py\n")
    #expect(fixture.ours("ls -i app.py words.txt").stdout == "\(app) app.py\t\(words) words.txt\n")
    let long = fixture.ours("ls -li notes")
    #expect(long.stdout.hasPrefix("total "))
    for line in long.stdout.split(separator: "\n").dropFirst() {
      #expect(line.range(of: #"^\d{7} -rw"#, options: .regularExpression) != nil, "\(line)")
    }
  }
}
