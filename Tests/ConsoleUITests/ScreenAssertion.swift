import Foundation
import TerminalCanvas
import Testing

/// Compares a rendered canvas with its reference in `Screens/<name>.<W>x<H>.txt` — the design of
/// record. `RECORD_SCREENS=1` (or a missing file) records it, and the test fails once so the
/// new reference is reviewed (`git diff Screens/`).
func assertScreen(_ canvas: Canvas, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let file = root.appendingPathComponent("Screens/\(name).\(canvas.size.width)x\(canvas.size.height).txt")
    let actual = canvas.snapshot
    let record = ProcessInfo.processInfo.environment["RECORD_SCREENS"] == "1"
    guard !record, let expected = try? String(contentsOf: file, encoding: .utf8) else {
        try? FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? actual.write(to: file, atomically: true, encoding: .utf8)
        Issue.record("recorded \(file.lastPathComponent): review it with git diff Screens/", sourceLocation: sourceLocation)
        return
    }
    guard expected != actual else { return }
    let a = expected.split(separator: "\n", omittingEmptySubsequences: false)
    let b = actual.split(separator: "\n", omittingEmptySubsequences: false)
    var diff: [String] = []
    for index in 0..<max(a.count, b.count) {
        let left = index < a.count ? String(a[index]) : "∅"
        let right = index < b.count ? String(b[index]) : "∅"
        if left != right { diff.append("line \(index + 1):\n  - \(left)\n  + \(right)") }
    }
    let shown = diff.prefix(12).joined(separator: "\n")
    Issue.record("\(file.lastPathComponent) differs (RECORD_SCREENS=1 re-records):\n\(shown)", sourceLocation: sourceLocation)
}
