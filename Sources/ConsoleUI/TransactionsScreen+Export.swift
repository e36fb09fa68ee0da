import CleoDomain
import TerminalCanvas

/// `:export FILE`: the filtered list (the filters and search on screen, every page) to CSV as
/// `tx list --csv` writes it. Which file and whether to replace it are decided here; the runner
/// writes (temporary file, then link or rename) and answers with what happened.
public struct ExportRequest: Sendable, Equatable {
    public var query: TransactionQuery
    /// As typed (relative to the console's working folder; `~/` is the home folder).
    public var path: String
    /// The operator said yes to replacing an existing file.
    public var overwrite: Bool
    public init(query: TransactionQuery, path: String, overwrite: Bool) {
        self.query = query
        self.path = path
        self.overwrite = overwrite
    }
}

/// What an export came to.
public enum ExportOutcome: Sendable, Equatable {
    case written(path: String, rows: Int)
    /// FILE is a regular file and replacing it was not confirmed: nothing written.
    case exists(path: String)
    case failed(path: String, reason: String)
}

extension TransactionsScreen {
    /// `:export FILE` (the text after the command, spaces inside the name kept).
    static func export(_ text: String, in state: inout AppState) -> [Effect] {
        let path = TransactionQuery.normalisedSearch(text)
        guard !path.isEmpty else {
            state.say(":export needs a file name, e.g. :export ~/declined.csv", error: true)
            return []
        }
        state.screen = .transactions
        var query = state.transactions.query
        if query.overdueMinutes != nil { query.now = state.now }
        query.cursor = .newest
        query.limit = 0
        state.say("exporting \(counted(state.transactions.total, "transaction")) to \(path)…", seconds: 30)
        return [.export(ExportRequest(query: query, path: path, overwrite: false))]
    }

    /// y replaces FILE; n, Esc or any other key keeps it (`reduceExportQuestion`).
    static let exportAnswers = Answers(yes: "replace it", no: "keep it")

    /// The question while FILE exists: `y` replaces it, anything else keeps it.
    static func reduceExportQuestion(_ key: Key, in state: inout AppState) -> [Effect] {
        guard var request = state.transactions.confirmingExport else { return [] }
        state.transactions.confirmingExport = nil
        guard key == .character("y") else {
            state.say("export cancelled: \(request.path) kept as it was")
            return []
        }
        request.overwrite = true
        state.say("exporting to \(request.path)…", seconds: 30)
        return [.export(request)]
    }

    static func exportFinished(_ outcome: ExportOutcome, in state: inout AppState) -> [Effect] {
        switch outcome {
        case .written(let path, let rows):
            state.say("exported \(counted(rows, "transaction")) to \(path) (CSV, as tx list --csv)", seconds: 8)
        case .exists(let path):
            var query = state.transactions.query
            if query.overdueMinutes != nil { query.now = state.now }
            query.cursor = .newest
            query.limit = 0
            state.transactions.confirmingExport = ExportRequest(query: query, path: path, overwrite: false)
            state.flash = nil
        case .failed(_, let reason):
            state.say("export failed: \(reason)", error: true, seconds: 10)
        }
        return []
    }

    /// The question over the bottom of `area`, wrapped: a long path never hides its answers
    /// (nothing safety-relevant is cut). A path taller than the body keeps its last lines and
    /// the answers, its start marked as cut.
    static func renderExportQuestion(_ request: ExportRequest, into canvas: inout Canvas, in area: Rect) {
        // The path under its label (a long one wraps under itself), then the question whole.
        var lines = TerminalText.wrap(request.path, width: area.width - 2, label: "export to: ")
            + exportAnswers.wrapped(after: "that file exists — replace it? ", width: area.width - 2)
        if lines.count > area.height {
            lines = Array(lines.suffix(max(0, area.height)))
            if !lines.isEmpty { lines[0] = "…" + lines[0].dropFirst() }
        }
        let top = area.bottom - lines.count
        canvas.fill(x: area.x, y: top, width: area.width, height: lines.count, role: .warning)
        for (index, line) in lines.enumerated() {
            canvas.write(line, x: area.x + 1, y: top + index, role: .warning, maxWidth: area.width - 2)
        }
    }
}
