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
    .systemLibrary(name: "CXattr"),
    .target(name: "LabFiles", dependencies: ["CXattr"]),
    .target(name: "LabLesson", dependencies: ["CCmark"]),
    .target(name: "LabJSON"),
    .target(name: "LabSnapshot", dependencies: ["LabJSON"]),
    .target(
      name: "LabWorkshop", dependencies: ["LabFiles", "LabLesson", "LabSnapshot", "LabShell"]),
    .target(
      name: "LabArchive",
      dependencies: ["CArchive", "LabFiles"]
    ),
    .target(
      name: "LabImage",
      dependencies: [
        "LabArchive", "LabFiles", "LabJSON", .product(name: "Crypto", package: "swift-crypto"),
      ]
    ),
    .target(name: "LabDocker", dependencies: ["LabArchive", "LabFiles", "LabImage", "LabJSON"]),
    .target(name: "LabShell", dependencies: ["LabDocker", "LabFiles", "LabJSON"]),
    .executableTarget(
      name: "layerlab",
      dependencies: [
        "LabShell", "LabDocker", "LabImage", "LabWorkshop", "LabLesson",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .target(name: "LabTestSupport", dependencies: ["LabImage"], path: "Tests/LabTestSupport"),
    .testTarget(
      name: "LabArchiveTests", dependencies: ["LabArchive", "LabTestSupport"],
      exclude: ["__Snapshots__"]),
    .testTarget(
      name: "LabImageTests", dependencies: ["LabImage", "LabJSON", "LabTestSupport"],
      exclude: ["__Snapshots__"]),
    .testTarget(
      name: "LabDockerTests", dependencies: ["LabDocker", "LabShell", "LabTestSupport"],
      exclude: ["__Snapshots__"]),
    .testTarget(
      name: "LabLessonTests", dependencies: ["LabLesson", "LabTestSupport"],
      exclude: ["__Snapshots__"]),
    .testTarget(
      name: "LabSnapshotTests", dependencies: ["LabSnapshot", "LabTestSupport"],
      exclude: ["__Snapshots__"]),
    .testTarget(
      name: "LabWorkshopTests",
      dependencies: [
        "LabWorkshop", "LabSnapshot", "LabLesson", "LabJSON", "LabImage", "LabTestSupport",
      ],
      exclude: ["__Snapshots__", "Fixtures"]),
    .testTarget(
      name: "LabShellTests", dependencies: ["LabShell", "LabDocker", "LabTestSupport"],
      exclude: ["__Snapshots__"]),
    .testTarget(
      name: "layerlabTests", dependencies: ["LabTestSupport", "layerlab"],
      exclude: ["__Snapshots__"]),
  ],
  swiftLanguageModes: [.v6]
)

for target in package.targets where [.executable, .test, .regular].contains(target.type) {
  var settings = target.swiftSettings ?? []
  settings.append(.enableUpcomingFeature("ExistentialAny"))
  settings.append(.enableUpcomingFeature("MemberImportVisibility"))
  target.swiftSettings = settings
}
