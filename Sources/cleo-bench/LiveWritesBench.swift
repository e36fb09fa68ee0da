import Foundation
import CleoStore
#if canImport(Glibc)
import Glibc
#endif

/// What a live event costs the disk (issue 9: goal ≤ 64 KB at 1 and at 10 events/s): bytes the
/// `ingest --follow` process writes (`wchar` of /proc/PID/io: WAL frames and checkpoint copies)
/// per event appended, on a database just loaded in bulk, with this build's pages beside the
/// same database without the triggers that keep the filter panel's counts, and converted to the
/// 16 KiB pages of before (`VACUUM` packs its index leaves full, as `CREATE INDEX` did). Each
/// window starts on an empty WAL and is charged what its frames still owe the next checkpoint
/// (one copy of each page they hold): uncharged, the figure depended on whether an automatic
/// checkpoint fell inside the 40-event window (72.5 KB without, 103.9 KB charged, same build).
enum LiveWritesBench {
    static func run(binary: String) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cleo-bench-live-writes-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = dir + "/events.jsonl", more = dir + "/more.jsonl", db = dir + "/console.db", db16 = dir + "/console-16k.db"
        _ = measure(binary, ["demo", "--count", "90000", "--rate", "0", "--seed", "21", "--events", log])
        _ = measure(binary, ["demo", "--count", "190", "--rate", "0", "--seed", "9", "--events", more])
        _ = measure(binary, ["ingest", "--db", db, "--events", log])  // a backlog over 32 MB: loaded in bulk
        try FileManager.default.copyItem(atPath: db, toPath: db16)
        try "PRAGMA journal_mode = DELETE; PRAGMA page_size = 16384; VACUUM; PRAGMA journal_mode = WAL;\n"
            .write(toFile: dir + "/convert.sql", atomically: true, encoding: .utf8)
        _ = measure("/usr/bin/sqlite3", [db16], stdin: dir + "/convert.sql")
        // The filter panel's counts are kept by triggers (a page more a commit): their price, beside.
        let uncounted = dir + "/console-uncounted.db"
        try FileManager.default.copyItem(atPath: db, toPath: uncounted)
        _ = toolOutput("/usr/bin/sqlite3", [uncounted, AppDatabase.facetTriggers.map { "DROP TRIGGER \($0);" }.joined()])
        let extra = try String(contentsOfFile: more, encoding: .utf8).split(separator: "\n").map { $0 + "\n" }
        // Every variant is fed the same lines: the log is cut back to the backlog before each
        // (same file, so each copy's follower position still names it).
        let backlog = (try FileManager.default.attributesOfItem(atPath: log)[.size] as? Int) ?? 0
        print("live writes (bytes the follower writes per event appended, its share of the next checkpoint included; goal ≤ 64 KB):")
        for (label, path) in [("4 KiB pages (new databases)        ", db), ("4 KiB pages, panel counts not kept", uncounted),
                              ("16 KiB pages (before)              ", db16)] {
            var figures: [String] = []
            guard truncate(log, off_t(backlog)) == 0 else { throw POSIXError(.EIO) }
            var next = 0
            for (rate, count) in [(1.0, 40), (10.0, 150)] {
                let lines = Array(extra[next..<(next + count)])
                next += count
                figures.append("\(Int(rate))/s: \(format(try bytesPerEvent(binary: binary, db: path, log: log, lines: lines, rate: rate) / 1024, 1)) KB")
            }
            print("  \(label)   " + figures.joined(separator: "   "))
        }
    }

    /// Starts a follower on `db`, waits until it has caught up, then appends `lines` at `rate`
    /// a second and returns its written bytes per line.
    static func bytesPerEvent(binary: String, db: String, log: String, lines: [Substring], rate: Double) throws -> Double {
        let follower = Process()
        follower.executableURL = URL(fileURLWithPath: binary)
        follower.arguments = ["ingest", "--follow", "--db", db, "--events", log]
        follower.standardOutput = FileHandle.nullDevice
        follower.standardError = FileHandle.nullDevice
        try follower.run()
        defer {
            follower.terminate()
            follower.waitUntilExit()
        }
        let logLines = { (try? String(contentsOfFile: log, encoding: .utf8))?.split(separator: "\n", omittingEmptySubsequences: false).count ?? 1 }
        try waitUntilApplied(db: db, lines: logLines() - 1)
        usleep(300_000)
        try emptyWAL(db: db)
        let before = written(pid: follower.processIdentifier)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try handle.seekToEnd()
        for line in lines {
            handle.write(Data(line.utf8))
            usleep(useconds_t(1_000_000 / rate))
        }
        try handle.close()
        try waitUntilApplied(db: db, lines: logLines() - 1)
        usleep(300_000)
        let owed = checkpointOwed(wal: db + "-wal")
        return Double(written(pid: follower.processIdentifier) - before + owed) / Double(lines.count)
    }

    /// Copies the WAL into the database and empties it (by the sqlite3 tool: not the follower's
    /// bytes), so the window starts a checkpoint cycle.
    static func emptyWAL(db: String) throws {
        for _ in 0..<50 {
            // "busy|log frames|checkpointed frames": 0|0|0 once it is emptied.
            if toolOutput("/usr/bin/sqlite3", [db, "PRAGMA wal_checkpoint(TRUNCATE)"]).hasPrefix("0|0|0") { return }
            usleep(100_000)
        }
        throw POSIXError(.EBUSY)
    }

    /// What the next checkpoint writes for the WAL's committed frames: one page for each page
    /// they hold (frames of the current cycle carry the header's salts; a frame with a nonzero
    /// size after commit ends a transaction).
    static func checkpointOwed(wal: String) -> Int {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: wal)), data.count >= 32 else { return 0 }
        let bytes = [UInt8](data)
        func word(_ at: Int) -> UInt32 { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | UInt32($1) } }
        let pageSize = Int(word(8))
        var pages = Set<UInt32>(), pending = Set<UInt32>()
        var frame = 32
        while frame + 24 + pageSize <= bytes.count, word(frame + 8) == word(16), word(frame + 12) == word(20) {
            pending.insert(word(frame))
            if word(frame + 4) != 0 {
                pages.formUnion(pending)
                pending.removeAll()
            }
            frame += 24 + pageSize
        }
        return pages.count * pageSize
    }

    static func written(pid: Int32) -> Int {
        guard let io = try? String(contentsOfFile: "/proc/\(pid)/io", encoding: .utf8),
              let line = io.split(separator: "\n").first(where: { $0.hasPrefix("wchar:") }) else { return 0 }
        return Int(line.split(separator: " ").last ?? "0") ?? 0
    }

    static func waitUntilApplied(db: String, lines: Int) throws {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let query = "SELECT lines_applied FROM follower"
            let out = toolOutput("/usr/bin/sqlite3", [db, query])
            if Int(out.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 >= lines { return }
            usleep(20_000)
        }
    }

    static func toolOutput(_ tool: String, _ arguments: [String]) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return "" }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
