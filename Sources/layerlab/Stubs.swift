import ArgumentParser
extension LayerLab {
  struct Exec: ParsableCommand {}
  struct Store: ParsableCommand {}
  struct Tour: ParsableCommand {}
}
