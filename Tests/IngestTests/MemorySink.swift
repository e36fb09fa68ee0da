import CleoDomain
import CleoIngest

/// An in-memory `IngestSink` with the store's compare-and-swap semantics: what the follower is
/// tested against, without SQLite. `failures` makes the next applies throw (a full disk, a lock).
final class MemorySink: IngestSink {
    struct Fault: Error, CustomStringConvertible {
        var description: String { "disk I/O error (simulated)" }
    }

    var positions: [String: FollowerPosition] = [:]
    /// Every applied line as (file, line, offset), in commit order.
    var applied: [(file: String, line: Int64, offset: Int64)] = []
    var notices: [FollowerNotice] = []
    var failures = 0
    var commits = 0
    /// The most line bytes one batch held.
    var largestBatchBytes = 0

    func position(path: String, file: (any LogIdentity)?) throws -> FollowerPosition? {
        if let file, let found = positions.values.sorted(by: { $0.path < $1.path }).first(where: { file.isFile(of: $0) }) { return found }
        return positions[path]
    }

    func notices(path: String, limit: Int) throws -> [FollowerNotice] {
        Array(notices.reversed().prefix(limit))
    }

    func apply(_ lines: [LogLine], expected: FollowerPosition?, newPosition: FollowerPosition, file: (any LogIdentity)?,
               notices: [FollowerNotice], now: Timestamp) throws -> BatchResult {
        if failures > 0 {
            failures -= 1
            throw Fault()
        }
        let stored = positions[newPosition.path]
        switch (stored, expected) {
        case (nil, nil):
            if let file, let other = positions.values.first(where: { file.isFile(of: $0) }) { return .positionMoved(current: other) }
        case let (s?, e?) where s.sameSpot(as: e): break
        default: return .positionMoved(current: stored)
        }
        largestBatchBytes = max(largestBatchBytes, lines.reduce(0) { $0 + $1.bytes.count })
        var summary = BatchSummary()
        for line in lines {
            summary.counts.linesApplied += 1
            switch line.verdict {
            case .blank: summary.counts.blank += 1
            case .rejected: summary.counts.rejected += 1
            case .accepted: summary.counts.events += 1
            }
            applied.append((line.file, line.line, line.offset))
        }
        var position = newPosition
        position.counts = (stored?.counts ?? FollowerCounts()) + summary.counts
        positions[newPosition.path] = position
        self.notices += notices
        commits += 1
        summary.endOffset = newPosition.offset
        summary.position = position
        return .applied(summary)
    }
}
