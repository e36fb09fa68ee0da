import Foundation

/// Another process (the sqlite3 tool) holding the database's write lock until `release`: the
/// follower cannot commit meanwhile, so it falls behind the log for real.
final class WriteLockHolder {
    private let process = Process()
    private let input = Pipe()

    init(db: String) throws {
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [db]
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        try input.fileHandleForWriting.write(contentsOf: Data("BEGIN IMMEDIATE;\nINSERT INTO meta(key, value) VALUES ('held', '1');\nSELECT 'locked';\n".utf8))
        var seen = Data()
        while !String(decoding: seen, as: UTF8.self).contains("locked") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen.append(chunk)
        }
    }

    /// sqlite3 ends at the end of its input, rolling the transaction back.
    func release() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    deinit { if process.isRunning { release() } }
}
