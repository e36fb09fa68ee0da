import CleoDomain
import CleoStore
import ConsoleRuntime
import ConsoleUI
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `:export FILE` against real files: the filtered list whole, and odd files at FILE (a link,
/// a folder, a FIFO, an existing file, a missing folder, a full disk) refused or said, with
/// nothing half-written and no temporary file left behind.
@Suite struct ExportTests {
    let folder: String
    let database: AppDatabase

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("cleo-export-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        database = try AppDatabase.open(path: folder + "/console.db")
        try database.benchmarkFill(transactions: 5_000)
    }

    func request(_ path: String, overwrite: Bool = false, statuses: Set<TransactionStatus> = [.declined, .pending]) -> ExportRequest {
        var query = TransactionQuery()
        query.statuses = statuses
        return ExportRequest(query: query, path: path, overwrite: overwrite)
    }

    func utc(_ t: Timestamp) -> String { RFC3339.format(t, offsetSeconds: 0) }

    func run(_ request: ExportRequest) -> ExportOutcome {
        TransactionExport.run(request, database: database, workingDirectory: folder, time: utc)
    }

    /// Files in the folder other than the database's.
    func leftovers(_ dir: String? = nil) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir ?? folder).filter { !$0.hasPrefix("console.db") }.sorted()
    }

    @Test func theFilteredListIsWrittenWholeAsTxListCSV() throws {
        let outcome = run(request("declined.csv"))
        var everything = TransactionQuery()
        everything.statuses = [.declined, .pending]
        everything.limit = 0
        let rows = try database.transactions(everything)
        #expect(rows.count == 1_000)  // more than a page of the writer
        #expect(outcome == .written(path: "declined.csv", rows: rows.count))
        let text = try String(contentsOfFile: folder + "/declined.csv", encoding: .utf8)
        let expected = ([TransactionCSV.headerLine] + rows.map { TransactionCSV.line($0, time: utc) }).joined(separator: "\n") + "\n"
        #expect(text == expected)
        var info = stat()
        #expect(stat(folder + "/declined.csv", &info) == 0 && info.st_mode & 0o777 == 0o600)
        #expect(try leftovers() == ["declined.csv"])
    }

    @Test func anExistingFileIsReplacedOnlyWhenConfirmed() throws {
        let path = folder + "/kept.csv"
        try "mine\n".write(toFile: path, atomically: false, encoding: .utf8)
        #expect(run(request("kept.csv")) == .exists(path: "kept.csv"))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "mine\n")
        #expect(run(request("kept.csv", overwrite: true)) == .written(path: "kept.csv", rows: 1_000))
        #expect(try String(contentsOfFile: path, encoding: .utf8).hasPrefix("transaction_id,method,status"))
        #expect(try leftovers() == ["kept.csv"])
    }

    @Test func aSymbolicLinkAtFileIsNeverFollowed() throws {
        let target = folder + "/target.txt"
        try "precious\n".write(toFile: target, atomically: false, encoding: .utf8)
        symlink(target, folder + "/link.csv")
        for overwrite in [false, true] {
            guard case .failed(_, let reason) = run(request("link.csv", overwrite: overwrite)) else {
                Issue.record("a symbolic link was written through")
                continue
            }
            #expect(reason.contains("symbolic link"))
        }
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "precious\n")
        var info = stat()
        #expect(lstat(folder + "/link.csv", &info) == 0 && info.st_mode & S_IFMT == S_IFLNK)
        // A dangling link too: nothing is created where it points.
        symlink(folder + "/nowhere.csv", folder + "/dangling.csv")
        #expect({ if case .failed = run(request("dangling.csv")) { true } else { false } }())
        #expect(!FileManager.default.fileExists(atPath: folder + "/nowhere.csv"))
        #expect(try leftovers() == ["dangling.csv", "link.csv", "target.txt"])
    }

    @Test func aFolderAFIFOAndAMissingFolderAreSaid() throws {
        try FileManager.default.createDirectory(atPath: folder + "/dir.csv", withIntermediateDirectories: false)
        mkfifo(folder + "/fifo.csv", 0o600)
        let cases: [(String, String)] = [("dir.csv", "is a folder"), ("fifo.csv", "not a regular file"),
                                         ("no/such/folder/x.csv", "does not exist"), ("bad\u{1B}[2J/x.csv", "does not exist")]
        for (path, words) in cases {
            guard case .failed(_, let reason) = run(request(path, overwrite: true)) else {
                Issue.record("\(path) was written")
                continue
            }
            #expect(reason.contains(words), "\(path): \(reason)")
            // The name is shown sanitised: no byte of it drives the terminal.
            #expect(!reason.contains("\u{1B}"))
        }
        #expect(try leftovers() == ["dir.csv", "fifo.csv"])
    }

    @Test func aFullDiskIsSaidAndLeavesNothing() throws {
        let mount = folder + "/small"
        try FileManager.default.createDirectory(atPath: mount, withIntermediateDirectories: false)
        let mounted = Process()
        mounted.executableURL = URL(fileURLWithPath: "/usr/bin/mount")
        mounted.arguments = ["-t", "tmpfs", "-o", "size=64k", "tmpfs", mount]
        try mounted.run()
        mounted.waitUntilExit()
        guard mounted.terminationStatus == 0 else {
            Issue.record("cannot mount a tmpfs here (the test needs root)")
            return
        }
        defer {
            let unmount = Process()
            unmount.executableURL = URL(fileURLWithPath: "/usr/bin/umount")
            unmount.arguments = ["-l", mount]
            try? unmount.run()
            unmount.waitUntilExit()
        }
        // 5,000 rows of ~200 bytes: a megabyte on 64 KiB.
        guard case .failed(_, let reason) = run(request(mount + "/all.csv", statuses: [])) else {
            Issue.record("an export larger than the disk was said to be written")
            return
        }
        #expect(reason.contains("the disk is full"))
        #expect(try leftovers(mount) == [])
    }
}
