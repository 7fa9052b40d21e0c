/// Every utility the sandbox has, by the name a command line calls it.
public enum Utilities {
  public static let all: [any Utility.Type] = [
    Awk.self,
    Base64.self,
    Basename.self,
    Cat.self,
    ChangeMode.self,
    Clear.self,
    Column.self,
    Copy.self,
    Cut.self,
    DateUtility.self,
    Diff.self,
    Dirname.self,
    DiskFree.self,
    DiskUsage.self,
    FileType.self,
    Find.self,
    Grep.self,
    GunzipUtility.self,
    GzipUtility.self,
    Head.self,
    Hostname.self,
    ID.self,
    JQUtility.self,
    Link.self,
    List.self,
    MakeDirectory.self,
    Move.self,
    NumberLines.self,
    OctalDump.self,
    Readlink.self,
    Realpath.self,
    Remove.self,
    RemoveDirectory.self,
    SHA256Sum.self,
    Sed.self,
    Sequence.self,
    Sleep.self,
    Sort.self,
    Stat.self,
    Tail.self,
    Tar.self,
    Tee.self,
    Touch.self,
    Translate.self,
    Tree.self,
    Unique.self,
    WhoAmI.self,
    WordCount.self,
    ZcatUtility.self,
  ]

  static let byName: [String: any Utility.Type] = Dictionary(
    uniqueKeysWithValues: all.map { ($0.name, $0) })

  /// The utility called `name`, if the sandbox has it.
  public static func named(_ name: String) -> (any Utility.Type)? { byName[name] }

  /// The options of the utility called `name`, for code two utilities share.
  static func spec(for name: String) -> OptionSpec { byName[name]?.options ?? .own }
}
