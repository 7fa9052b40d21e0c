import Foundation
import LabImage
import LabTestSupport
import Testing

/// The reference table's index by image answers as going through every reference would.
@Suite("The reference table, indexed by image")
struct ReferenceTableTests {
  static func id(_ number: Int) -> Digest { Digest.of("image \(number)") }

  /// Every reference naming `image`, found the slow way: all of them, filtered and sorted.
  static func scan(_ table: ReferenceTable, _ image: Digest) -> [String] {
    table.repositories.values.flatMap { $0 }.filter { $0.value == image }
      .map { (try? ImageReference(parsing: $0.key).description) ?? "" }.sorted()
  }

  @Test func indexAgreesWithAScanThroughAddsAndRemoves() throws {
    var table = ReferenceTable()
    var generator = SystemRandomNumberGenerator.Seeded(seed: 5)
    let names = ["nginx", "app", "ghcr.io/a/b", "localhost:5000/web", "bitnami/redis"]
    var added: [ImageReference] = []
    for step in 0..<600 {
      let name = names[Int.random(in: 0..<names.count, using: &generator)]
      let image = Self.id(Int.random(in: 0..<20, using: &generator))
      if step % 3 == 2, let victim = added.randomElement(using: &generator) {
        table.remove(victim)
      } else if step % 7 == 0 {
        let digest = Digest.of("manifest \(step)")
        let reference = try ImageReference(parsing: "\(name)@\(digest)")
        table.add(reference, image: image)
        added.append(reference)
      } else {
        let reference = try ImageReference(parsing: "\(name):v\(step % 11)")
        // Re-tagging moves the reference to the new image.
        table.add(reference, image: image)
        added.append(reference)
      }
      for number in 0..<20 {
        let image = Self.id(number)
        #expect(table.references(to: image).map(\.description) == Self.scan(table, image))
        #expect(table.isReferenced(image) == !Self.scan(table, image).isEmpty)
      }
    }
    let all = table.all
    #expect(all.map(\.reference.description) == all.map(\.reference.description).sorted())
    #expect(all.count == table.repositories.values.map(\.count).reduce(0, +))
    for (reference, image) in all { #expect(table.image(for: reference) == image) }
  }

  @Test func savedAndReadBackTheIndexIsTheSame() throws {
    let store = ImageStore(root: try TestSupport.scratchDirectory("reference-index"))
    try store.initialize()
    var table = ReferenceTable()
    for number in 0..<50 {
      table.add(
        try ImageReference(parsing: "repo\(number % 7):t\(number)"), image: Self.id(number % 9))
    }
    table.remove(try ImageReference(parsing: "repo3:t3"))
    try store.saveReferenceTable(table)
    let read = try store.referenceTable()
    #expect(read == table)
    for number in 0..<9 {
      #expect(read.references(to: Self.id(number)) == table.references(to: Self.id(number)))
    }
    #expect(read.references(to: Self.id(99)).isEmpty)
  }
}
