import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `--listen` (serve.md, "Command"): 127.0.0.1:8080 by default; anything but loopback without
/// TLS only with `--insecure-http`, said at start.
@Suite struct ServeListenTests {
    @Test func insecureHTTPAllowsAnyAddressAndSaysSoOnStderr() throws {
        let h = try CLIHarness()
        defer { h.cleanup() }
        try h.configureWebhook()
        let serve = try ServeProcess(h, ["--insecure-http"], host: "0.0.0.0")
        defer { serve.stop() }
        #expect(serve.log.contains("WARNING: listening on 0.0.0.0 without TLS (--insecure-http)"), "\(serve.log)")
        // 0.0.0.0 takes loopback too.
        #expect(try RawHTTP.post(port: serve.port, webhookLine("any-1")).status == 200)
        #expect(try h.logLines().count == 1)
    }

    /// In a network namespace of its own (a loopback nobody else uses), so port 8080 cannot clash
    /// with anything else on this shared machine.
    static let canUnshareNetwork: Bool = {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        probe.arguments = ["--net", "/usr/sbin/ip", "link", "set", "lo", "up"]
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return false }
        probe.waitUntilExit()
        return probe.terminationStatus == 0
    }()

    @Test(.enabled(if: canUnshareNetwork, "needs unshare --net (root): the default address cannot be bound without a possible clash"))
    func withoutListenServeListensOn127001Port8080() throws {
        let h = try CLIHarness()
        defer { h.cleanup() }
        try h.configureWebhook()
        let output = h.directory.appendingPathComponent("serve.out").path
        FileManager.default.createFile(atPath: output, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        // unshare execs sh, which execs serve: the process signalled below is serve itself.
        let process = h.process(["--net", "/bin/sh", "-c", "/usr/sbin/ip link set lo up && exec \"$0\" serve", CLIHarness.binary])
        process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() } }
        func log() -> String { (try? String(contentsOfFile: output, encoding: .utf8)) ?? "" }
        for _ in 0..<300 where process.isRunning && !log().contains("listening on") { usleep(50_000) }
        #expect(log().contains("listening on http://127.0.0.1:8080\n"), "\(log())")
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }
}
