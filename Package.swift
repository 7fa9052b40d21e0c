// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "LayerLab",
  products: [
    .executable(name: "layerlab", targets: ["layerlab"])
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/apple/swift-crypto", "3.0.0"..<"5.0.0"),
  ],
  targets: [
    .systemLibrary(
      name: "CArchive",
      pkgConfig: "libarchive",
      providers: [.apt(["libarchive-dev"]), .brew(["libarchive"])]
    ),
    .systemLibrary(
      name: "CCmark",
      pkgConfig: "libcmark",
      providers: [.apt(["libcmark-dev"]), .brew(["cmark"])]
    ),
    // Extended attributes from the C library: a header only, nothing to link.
    .systemLibrary(name: "CFileSystem"),
    .target(name: "LabLimits"),
    // The registry and the workshop, carried inside the executable (see BundleSource).
    .target(name: "CLabBundle"),
    .target(name: "LabBundle", dependencies: ["CLabBundle"]),
    .target(name: "LabOutput", dependencies: ["LabLimits"]),
    .target(name: "LabRegex"),
    .target(name: "LabFiles", dependencies: ["CFileSystem", "LabLimits"]),
    .systemLibrary(
      name: "CEdit",
      pkgConfig: "libedit",
      providers: [.apt(["libedit-dev"]), .brew(["libedit"])]
    ),
    .target(name: "LabTerminal", dependencies: ["CEdit"]),
    .target(name: "LabLesson", dependencies: ["CCmark", "LabBundle"]),
    .target(name: "LabJSON"),
    .target(name: "LabSnapshot", dependencies: ["LabJSON", "LabRegex"]),
    .target(
      name: "LabWorkshop",
      dependencies: [
        "LabBundle", "LabFiles", "LabLesson", "LabLimits", "LabRegistryClient", "LabSnapshot",
        "LabShell",
      ]),
    .target(
      name: "LabArchive",
      dependencies: ["CArchive", "LabFiles", "LabLimits"]
    ),
    .target(
      name: "LabImage",
      dependencies: [
        "LabArchive", "LabBundle", "LabFiles", "LabJSON", "LabLimits",
        .product(name: "Crypto", package: "swift-crypto"),
      ]
    ),
    .target(
      name: "LabRegistryClient",
      dependencies: ["LabArchive", "LabFiles", "LabImage", "LabJSON", "LabLimits"]),
    .target(
      name: "LabDocker",
      dependencies: [
        "LabArchive", "LabFiles", "LabImage", "LabJSON", "LabLimits", "LabOutput",
        "LabRegistryClient",
      ]),
    .target(name: "LabDive", dependencies: ["LabImage", "LabJSON", "LabLimits", "LabOutput"]),
    .target(
      name: "LabUtilities",
      dependencies: [
        "LabArchive", "LabFiles", "LabImage", "LabJSON", "LabLimits", "LabOutput", "LabRegex",
      ]),
    .target(
      name: "LabShell",
      dependencies: [
        "LabDive", "LabDocker", "LabFiles", "LabImage", "LabJSON", "LabLimits", "LabOutput",
        "LabPackages", "LabRegex", "LabRegistryClient", "LabUtilities",
      ]),
    .target(name: "LabPackages", dependencies: ["LabFiles", "LabOutput", "LabUtilities"]),
    .executableTarget(
      name: "layerlab",
      dependencies: [
        "LabShell", "LabDive", "LabDocker", "LabImage", "LabWorkshop", "LabLesson", "LabTerminal",
        "LabFiles", "LabPackages", "LabBundle", "LabRegistryClient",
        "LabLimits", "LabOutput", "LabSnapshot",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .target(
      name: "LabFuzzing",
      dependencies: [
        "LabDocker", "LabFiles", "LabImage", "LabJSON", "LabLesson", "LabShell", "LabSnapshot",
        "LabWorkshop",
      ]),
    // Replays inputs; built with `scripts/fuzz`, it is a libFuzzer target.
    .executableTarget(name: "layerlab-fuzz", dependencies: ["LabFuzzing"]),
    .target(
      name: "LabTestSupport", dependencies: ["LabFiles", "LabImage"], path: "Tests/LabTestSupport"),
    .testTarget(
      name: "LabArchiveTests", dependencies: ["LabArchive", "LabTestSupport"]),
    .testTarget(
      name: "LabImageTests",
      dependencies: [
        "LabArchive", "LabBundle", "LabImage", "LabJSON", "LabPackages", "LabTestSupport",
      ]),
    .testTarget(
      name: "LabDockerTests",
      dependencies: [
        "LabDocker", "LabImage", "LabOutput", "LabRegistryClient", "LabShell", "LabTestSupport",
      ],
      exclude: ["__Snapshots__"]),
    .testTarget(
      name: "LabLessonTests", dependencies: ["LabLesson", "LabTestSupport"],
      exclude: ["__Snapshots__", "Fixtures"]),
    .testTarget(
      name: "LabSnapshotTests", dependencies: ["LabSnapshot", "LabTestSupport"]),
    .testTarget(
      name: "LabWorkshopTests",
      dependencies: [
        "LabWorkshop", "LabSnapshot", "LabLesson", "LabJSON", "LabImage", "LabTestSupport",
        "LabShell", "LabDocker", "LabOutput",
      ],
      exclude: ["__Snapshots__", "Fixtures"]),
    .testTarget(
      name: "LabShellTests",
      dependencies: [
        "LabArchive", "LabDocker", "LabFiles", "LabImage", "LabLimits", "LabOutput", "LabShell",
        "LabTestSupport",
      ]),
    .testTarget(name: "LabRegexTests", dependencies: ["LabRegex"]),
    .testTarget(
      name: "LabDiveTests",
      dependencies: [
        "LabArchive", "LabDive", "LabDocker", "LabImage", "LabOutput", "LabShell",
        "LabTestSupport",
      ]),
    .testTarget(name: "LabJSONTests", dependencies: ["LabJSON"]),
    .testTarget(name: "LabFuzzingTests", dependencies: ["LabFuzzing", "LabTestSupport"]),
    .testTarget(
      name: "layerlabTests", dependencies: ["LabTestSupport", "layerlab"]),
  ],
  swiftLanguageModes: [.v6]
)

for target in package.targets where [.executable, .test, .regular].contains(target.type) {
  var settings = target.swiftSettings ?? []
  settings.append(.enableUpcomingFeature("ExistentialAny"))
  settings.append(.enableUpcomingFeature("MemberImportVisibility"))
  target.swiftSettings = settings
}
