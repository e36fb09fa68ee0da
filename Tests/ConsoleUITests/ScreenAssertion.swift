import Foundation
import TerminalCanvas
import Testing
@testable import ConsoleUI

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

/// The golden of `state`'s frame, and the body drawn where its area says: the same screen moved
/// right into a wider canvas draws the same cells there and nothing to their left (a screen
/// that draws from column 0, or measures the canvas instead of its area, fails here).
func assertScreen(_ state: AppState, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
    assertScreen(state.render(), name, sourceLocation: sourceLocation)
    assertDrawsInItsArea(state, name, sourceLocation: sourceLocation)
}

func assertDrawsInItsArea(_ state: AppState, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
    guard !state.isTooSmall else { return }
    let shift = 7
    func body(offset: Int) -> Canvas {
        var canvas = Canvas(size: Size(width: state.size.width + offset, height: state.size.height))
        let frame = state.frame.body
        let area = Rect(x: frame.x + offset, y: frame.y, width: frame.width, height: frame.height)
        state.screen.screen.render(state, into: &canvas, in: area)
        if state.cashier.isOpen { CashierFormScreen.render(state, into: &canvas, in: area) }
        return canvas
    }
    let plain = body(offset: 0), moved = body(offset: shift)
    var wrong: [String] = []
    for y in 0..<state.size.height {
        if (0..<shift).contains(where: { moved[$0, y] != Cell.blank }) { wrong.append("row \(y): drawn left of the area") }
        if (0..<state.size.width).contains(where: { moved[$0 + shift, y] != plain[$0, y] }) { wrong.append("row \(y): differs when moved") }
    }
    if plain.cursor.map({ Point(x: $0.x + shift, y: $0.y) }) != moved.cursor { wrong.append("the caret is not moved with the area") }
    if !wrong.isEmpty {
        let detail = wrong.prefix(6).joined(separator: "\n")
        Issue.record("\(name): the body does not draw in its area:\n\(detail)", sourceLocation: sourceLocation)
    }
}
