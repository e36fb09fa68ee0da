import CleoDomain
import CleoIngest
import CleoStore

/// `lines` as the first batch of the log at `log`, applied by `writer` as the follower would
/// (one transaction, the position after the last line): what ingesting them gives, no file read.
func applyAsFirstBatch(_ lines: [String], log: String, with writer: IngestWriter,
                       now: Timestamp = Timestamp(millisecondsSince1970: 1_790_000_000_000)) throws -> BatchResult {
    var offset: Int64 = 0
    var parsed: [LogLine] = []
    for (index, line) in lines.enumerated() {
        parsed.append(.parsed(file: log, line: Int64(index + 1), offset: offset, bytes: Array(line.utf8)))
        offset += Int64(line.utf8.count + 1)
    }
    let position = FollowerPosition(path: log, file: log, device: 1, inode: 7, headLength: 0, headHash: [], offset: offset,
                                    nextLine: Int64(lines.count + 1), observedSize: offset, updatedAt: now)
    return try writer.apply(parsed, expected: nil, newPosition: position, now: now)
}
