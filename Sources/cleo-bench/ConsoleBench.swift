import CleoDomain
import CleoFollower
import CleoStore
import ConsoleRuntime
import ConsoleUI
import Foundation
import TerminalCanvas
#if canImport(Glibc)
import Glibc
#endif

/// The console's own pipeline without the terminal: follower → SQLite → data change → reduce →
/// page query → render into the canvas. Measures append-to-row latency inside the process, and
/// start/page/filter times and memory on a large database.
enum ConsoleBench {
    /// This process's resident memory now (`VmRSS`), or its peak so far (`VmHWM`).
    static func residentMB(_ field: String = "VmRSS") -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }) else { return 0 }
        return Double(line.split(separator: " ").dropFirst().first.flatMap { Double($0) } ?? 0) / 1024
    }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
    }

    static let session = Session(environment: "sandbox", user: "bench", origin: "local", zoneName: "UTC", offsetSeconds: 0, databasePath: "")

    /// Runs the loop until `done` says the canvas shows what we wait for.
    static func drive(_ state: inout AppState, mailbox: Mailbox, runner: EffectRunner, effects: [Effect], until done: (AppState, Canvas) -> Bool, timeout: Double = 5) -> Canvas? {
        var pending = effects
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            for effect in pending { runner.perform(effect) }
            pending = []
            var fds = pollfd(fd: mailbox.readFD, events: Int16(POLLIN), revents: 0)
            _ = poll(&fds, 1, 50)
            for action in mailbox.drain() { pending += state.reduce(action) }
            let canvas = state.render()
            if done(state, canvas) { return canvas }
        }
        return nil
    }

    static func latency(samples: Int) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cleo-bench-live-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = dir + "/events.jsonl"
        precondition(FileManager.default.createFile(atPath: log, contents: nil), "cannot create \(log)")
        let database = try AppDatabase.open(path: dir + "/console.db")
        let mailbox = Mailbox()
        let stop = StopFlag()
        let runner = EffectRunner(database: database, mailbox: mailbox, actor: Actor(user: "bench", origin: "local"), clock: { Timestamp.now() })
        let follower = Thread {
            let f = LogFollower(path: log, writer: IngestWriter(database: database), batchLines: 5_000)
            try? f.follow(shouldStop: { stop.isSet }, onBatch: { mailbox.post(.dataChanged(.ours(touched: $0.touched))) })
        }
        follower.start()
        defer { stop.set() }
        var state = AppState(session: session, size: Size(width: 120, height: 40), now: Timestamp.now(), eventsPath: log)
        state.transactions.pageSize = state.bodyHeight - 2
        _ = drive(&state, mailbox: mailbox, runner: runner, effects: state.startEffects(), until: { s, _ in s.transactions.isLoaded })
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        var latencies: [Double] = []
        for index in 0..<samples {
            let id = String(format: "lat-%06d", index)
            let line = "{\"transaction_id\":\"\(id)\",\"method\":\"CLEO_PAYIN\",\"transaction_status\":\"Pending\",\"status\":\"PENDING\",\"user_id\":\"u\",\"amount\":\"1000\",\"currency\":\"CLP\"}\n"
            let start = DispatchTime.now().uptimeNanoseconds
            handle.write(Data(line.utf8))
            guard drive(&state, mailbox: mailbox, runner: runner, effects: [], until: { _, canvas in canvas.rows.contains { $0.contains(id) } }) != nil else {
                print("  sample \(index) never appeared")
                continue
            }
            latencies.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            usleep(10_000)
        }
        try handle.close()
        print("console: append → row on screen (in process, \(latencies.count) samples): p50 \(format(percentile(latencies, 0.5), 1)) ms   p95 \(format(percentile(latencies, 0.95), 1)) ms   max \(format(latencies.max() ?? 0, 1)) ms   (goal p95 < 50 ms)")
    }

    static func largeDatabase(path: String) throws {
        let startRSS = residentMB()
        let started = DispatchTime.now().uptimeNanoseconds
        let database = try AppDatabase.open(path: path)
        let mailbox = Mailbox()
        let runner = EffectRunner(database: database, mailbox: mailbox, actor: Actor(user: "bench", origin: "local"), clock: { Timestamp.now() })
        var state = AppState(session: session, size: Size(width: 120, height: 40), now: Timestamp(millisecondsSince1970: 1_790_600_000_000), eventsPath: "/dev/null")
        state.transactions.pageSize = state.bodyHeight - 2
        _ = drive(&state, mailbox: mailbox, runner: runner, effects: state.startEffects(), until: { s, _ in s.transactions.isLoaded })
        let first = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6
        func timed(_ label: String, _ keys: [Key]) {
            var samples: [Double] = []
            for _ in 0..<20 {
                let start = DispatchTime.now().uptimeNanoseconds
                var effects: [Effect] = []
                for key in keys { effects += state.reduce(.key(key)) }
                let before = state.transactions.rows.first?.seq
                _ = drive(&state, mailbox: mailbox, runner: runner, effects: effects, until: { s, _ in s.transactions.rows.first?.seq != before || effects.isEmpty })
                samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
            print("  \(label.padding(toLength: 34, withPad: " ", startingAt: 0)) median \(format(percentile(samples, 0.5), 2)) ms   p95 \(format(percentile(samples, 0.95), 2)) ms")
        }
        let count = try database.countTransactions(TransactionQuery())
        print("console on \(TransactionsScreen.grouped(count)) transactions:")
        print("  start → first full screen            \(format(first, 1)) ms   (goal < 300 ms)")
        timed("page move (PgDn)", [.pageDown])
        timed("page move (PgUp)", [.pageUp])
        var filterSamples: [Double] = []
        for status in [TransactionStatus.declined, .approved, .pending, .declined] {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = state.reduce(.key(.character(":")))
            for c in "status \(status.rawValue)" { _ = state.reduce(.key(.character(c))) }
            let effects = state.reduce(.key(.enter))
            _ = drive(&state, mailbox: mailbox, runner: runner, effects: effects, until: { s, _ in s.transactions.rows.first?.status == status })
            filterSamples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        print("  filter by status (palette)          median \(format(percentile(filterSamples, 0.5), 2)) ms   max \(format(filterSamples.max() ?? 0, 2)) ms   (goal < 50 ms)")
        var searchSamples: [Double] = []
        // Prefixes of real ids (a search a support person would type: the first 16 characters).
        let prefixes = state.transactions.rows.prefix(4).map { String($0.id.prefix(16)) }
        _ = state.reduce(.key(.character(":")))
        for c in "clear" { _ = state.reduce(.key(.character(c))) }
        _ = drive(&state, mailbox: mailbox, runner: runner, effects: state.reduce(.key(.enter)), until: { s, _ in s.transactions.lastRequestedWasAnswered })
        for prefix in prefixes {
            let start = DispatchTime.now().uptimeNanoseconds
            // Every key's effects are run: the list searches as you type, so Enter after the
            // last character asks nothing new (dropping the keys' effects left the last page
            // request unanswered, and every sample ran into the 5 s timeout).
            var effects = state.reduce(.key(.character("/")))
            effects += state.reduce(.key(.ctrl("u")))
            for c in prefix { effects += state.reduce(.key(.character(c))) }
            effects += state.reduce(.key(.enter))
            _ = drive(&state, mailbox: mailbox, runner: runner, effects: effects, until: { s, _ in s.transactions.query.search == prefix && s.transactions.lastRequestedWasAnswered })
            searchSamples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            if state.transactions.rows.isEmpty { print("  (no row for \(prefix))") }
        }
        print("  id prefix search (/)                median \(format(percentile(searchSamples, 0.5), 2)) ms   max \(format(searchSamples.max() ?? 0, 2)) ms")
        print("  resident memory                      \(format(residentMB(), 0)) MB (at start \(format(startRSS, 0)) MB; goal < 64 MB, flat)")
    }
}

extension ConsoleBench {
    /// The real binary in tmux at 80×24: from appending a line to seeing its row in
    /// `capture-pane` (the capture itself included, ~2–5 ms of it).
    static func outsideLatency(binary: String, samples: Int) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cleo-bench-tmux-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let socket = "cleo-bench-\(getpid())"
        defer {
            _ = tmux(socket, ["kill-server"])
            try? FileManager.default.removeItem(atPath: dir)
        }
        let log = dir + "/events.jsonl"
        precondition(FileManager.default.createFile(atPath: log, contents: nil), "cannot create \(log)")
        _ = tmux(socket, ["new-session", "-d", "-s", "b", "-x", "80", "-y", "24",
                          "env LANG=C.UTF-8 TERM=xterm-256color CLEO_CONSOLE_DB=\(dir)/console.db CLEO_CONSOLE_EVENTS=\(log) \(binary)"])
        let ready = Date().addingTimeInterval(10)
        while Date() < ready, !tmux(socket, ["capture-pane", "-p", "-t", "b"]).contains("1 Transactions") { usleep(20_000) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        defer { try? handle.close() }
        var latencies: [Double] = []
        for index in 0..<samples {
            let id = String(format: "out-%06d", index)
            let line = "{\"transaction_id\":\"\(id)\",\"method\":\"CLEO_PAYIN\",\"transaction_status\":\"Pending\",\"status\":\"PENDING\",\"user_id\":\"u\",\"amount\":\"1000\",\"currency\":\"CLP\"}\n"
            let start = DispatchTime.now().uptimeNanoseconds
            handle.write(Data(line.utf8))
            let deadline = Date().addingTimeInterval(5)
            var seen = false
            while Date() < deadline {
                if tmux(socket, ["capture-pane", "-p", "-t", "b"]).contains(id) { seen = true; break }
            }
            if seen { latencies.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6) }
            usleep(30_000)
        }
        guard !latencies.isEmpty else { print("console (tmux): no row ever appeared"); return }
        print("console: append → row on screen, outside via tmux at 80×24 (\(latencies.count) samples, capture included): p50 \(format(percentile(latencies, 0.5), 1)) ms   p95 \(format(percentile(latencies, 0.95), 1)) ms   (goal < 100 ms)")
    }

    /// One tmux command through posix_spawn (Foundation's Process would wait on the forked
    /// server), its output through a file.
    static func tmux(_ socket: String, _ arguments: [String]) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tmux-\(getpid())-out").path
        _ = measure("/usr/bin/tmux", ["-L", socket, "-f", "/dev/null"] + arguments, stdout: path)
        return (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }
}
