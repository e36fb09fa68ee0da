import ArgumentParser
import CleoDomain
import CleoFollower
import Foundation
#if canImport(Glibc)
import Glibc
#endif

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Append a realistic synthetic feed to the events log, at a steady rate.",
        discussion: "Refuses an existing non-empty log unless --force. `make demo` points it at a separate demo database and log.")
    @OptionGroup var location: Location
    @Option(help: "Lines to append.") var count: Int = 500
    @Option(help: "Lines per second (0: as fast as possible).") var rate: Double = 4
    @Option(help: "Random seed (the same seed gives the same feed).") var seed: UInt64 = UInt64(Date().timeIntervalSince1970)
    @Flag(help: "Append to a non-empty log anyway.") var force = false

    func validate() throws {
        if count < 0 { throw ValidationError("--count must be 0 or more") }
        if rate < 0 { throw ValidationError("--rate must be 0 or more") }
    }

    func run() throws {
        try runReporting {
            let path = location.eventsPath
            let directory = (path as NSString).deletingLastPathComponent
            try FileManager.default.createDirectory(atPath: directory.isEmpty ? "." : directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            var info = stat()
            if stat(path, &info) == 0, info.st_size > 0, !force {
                throw Failure.usage("\(path) already has \(info.st_size) bytes; demo writes only to a log of its own: choose another --events, or pass --force")
            }
            let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw Failure.general("cannot open \(path) for appending: \(String(cString: strerror(errno)))") }
            defer { close(fd) }
            installStopHandlers()
            var feed = DemoFeed(seed: seed)
            let time = OperatorTime()
            let interval = rate > 0 ? 1.0 / rate : 0
            let started = Date()
            printErr("demo: appending \(count) lines to \(path) at \(rate > 0 ? "\(rate)/s" : "full speed"); Ctrl-C stops")
            for index in 0..<count {
                if stopRequested.pointee != 0 { break }
                let line = feed.nextLine(receivedAt: time.rfc3339(.now())) + "\n"
                let bytes = Array(line.utf8)
                guard write(fd, bytes, bytes.count) == bytes.count else {
                    throw Failure.general("cannot append to \(path): \(String(cString: strerror(errno)))")
                }
                if interval > 0 {
                    let due = started.addingTimeInterval(Double(index + 1) * interval)
                    let wait = due.timeIntervalSinceNow
                    if wait > 0 { usleep(useconds_t(wait * 1_000_000)) }
                }
            }
        }
    }
}
