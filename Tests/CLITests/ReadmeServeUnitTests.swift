import Foundation
import Testing

/// The README's "Running it under systemd…" block, read as a newcomer pastes it: it starts in the
/// clone with a release build, its unit is one systemd accepts, and the console command it gives a
/// `cleo-ops` member names the unit's own database and log.
@Suite struct ReadmeServeUnitTests {
    static func section() throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let start = try #require(readme.range(of: "\n### Running it under systemd, with logrotate, behind nginx (paste as root)\n"))
        return String(readme[start.upperBound...]).components(separatedBy: "\n### ").first ?? ""
    }

    static func unit(_ section: String) throws -> String {
        let body = try #require(section.components(separatedBy: "cat > /etc/systemd/system/cleo-console-serve.service <<'UNIT'\n").dropFirst().first)
        return try #require(body.components(separatedBy: "\nUNIT\n").first) + "\n"
    }

    @Test func theBlockStartsInTheCloneWithAReleaseBuild() throws {
        let block = try #require(try Self.section().components(separatedBy: "```sh\n").dropFirst().first)
        let commands = block.components(separatedBy: "\n").filter { !$0.hasPrefix("CLONE=") }
        #expect(commands.first == "cd \"$CLONE\" && make release", "\(commands.prefix(2))")
        #expect(commands.dropFirst().first?.hasPrefix("install -m 0755 .build/release/cleo-console ") == true)
    }

    /// Exit 78 is a configuration missing (serve.md, cli.md): restarting every second cannot help.
    @Test func theUnitDoesNotRestartOnAMissingConfiguration() throws {
        let unit = try Self.unit(Self.section())
        #expect(unit.contains("\nRestartPreventExitStatus=78\n"))
        #expect(unit.contains("\nType=simple\n") && unit.contains("\nRestart=always\n"))
    }

    static let systemdAnalyze = "/usr/bin/systemd-analyze"

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: systemdAnalyze), "systemd-analyze is not installed"))
    func systemdAcceptsTheUnitWithoutAWarning() throws {
        let h = try CLIHarness()
        defer { h.cleanup() }
        // The binary built here in place of the installed one: verify checks it is executable.
        let unit = try Self.unit(Self.section()).replacingOccurrences(of: "ExecStart=/usr/local/bin/cleo-console ", with: "ExecStart=\(CLIHarness.binary) ")
        let path = h.directory.appendingPathComponent("cleo-console-serve.service").path
        try unit.write(toFile: path, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.systemdAnalyze)
        process.arguments = ["verify", path]
        let result = try h.capture(process)
        // An unknown key or a value it cannot parse is only a warning on stderr, with status 0.
        #expect(result.status == 0 && result.stderr.isEmpty && result.stdout.isEmpty, "\(result.stdout)\(result.stderr)")
    }

    @Test func theConsoleCommandNamesTheUnitsDatabaseAndLog() throws {
        let section = try Self.section()
        let unit = try Self.unit(section)
        func environment(_ name: String) throws -> String {
            let line = try #require(unit.components(separatedBy: "\n").first { $0.hasPrefix("Environment=\(name)=") })
            return String(line.dropFirst("Environment=\(name)=".count))
        }
        let command = "\ncleo-console --db \(try environment("CLEO_CONSOLE_DB")) --events \(try environment("CLEO_CONSOLE_EVENTS"))\n"
        #expect(section.contains(command), "\(command)")
        #expect(section.contains("next login"))
    }
}
