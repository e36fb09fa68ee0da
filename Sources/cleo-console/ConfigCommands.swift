import ArgumentParser
import CleoDomain
import CleoFollower
import CleoStore
import Foundation
import TerminalCanvas
#if canImport(Glibc)
import Glibc
#endif

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Show, set, audit and export the Cleo configuration.",
        subcommands: [Show.self, Set.self, History.self, Export.self]
    )
}

extension ConfigCommand {
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The configuration, secrets masked, what is missing, version and last change.")
        @OptionGroup var location: Location
        @Flag(help: "JSON for scripts.") var json = false

        func run() throws {
            try runReporting {
                let database = try location.open()
                let stored = try database.configuration()
                let time = OperatorTime()
                let authorization = try database.webhookAuthorizationHint()
                if json {
                    printOut(Self.json(stored, environment: database.environment, time: time).addingWebhookAuthorization(authorization).rendered())
                    return
                }
                printOut("environment: \(database.environment.rawValue)")
                for field in ConfigField.allCases {
                    var value = stored.display(field) ?? "(unset)"
                    if field.isSecret, let setAt = stored.secrets[field]?.setAt { value += "  set \(time.short(setAt))" }
                    printOut(TerminalText.padded(field.qualifiedName, to: 28) + " " + TerminalText.sanitized(value))
                }
                printOut(Self.webhookAuthorizationLine(authorization, time: time))
                printOut("complete: \(stored.isComplete ? "yes" : "no")" + (stored.isComplete ? "" : "  missing: " + stored.missing.map(\.rawValue).joined(separator: ", ")))
                let when = stored.updatedAt.map(time.short) ?? "never"
                printOut("version \(stored.version), last change \(when) (\(time.zoneName)) by \(TerminalText.sanitized(stored.updatedBy ?? "nobody"))")
                if !stored.isWebhookSecured { printOut("warning: isWebhookSecured is false: webhook calls carry no Authorization header") }
            }
        }

        static func json(_ stored: StoredConfiguration, environment: ConsoleEnvironment, time: OperatorTime) -> JSONOut {
            let keys = ConfigField.allCases.filter(\.isSecret)
            return .object([
                ("environment", .string(environment.rawValue)),
                ("cleoApiKey", .object(keys.map { ($0.rawValue, JSONOut.optional(stored.secrets[$0]?.mask)) })),
                ("fingerprints", .object(keys.map { ($0.rawValue, JSONOut.optional(stored.secrets[$0]?.fingerprint)) })),
                ("customerExternalKeyForCleo", .optional(stored.plain[.customerExternalKeyForCleo])),
                ("webhookUrl", .optional(stored.plain[.webhookUrl])),
                ("isWebhookSecured", .bool(stored.isWebhookSecured)),
                ("complete", .bool(stored.isComplete)),
                ("missing", .array(stored.missing.map { .string($0.rawValue) })),
                ("version", .number(String(stored.version))),
                ("updatedAt", stored.updatedAt.map { .string(time.rfc3339($0)) } ?? .null),
                ("updatedBy", .optional(stored.updatedBy)),
            ])
        }
    }

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate and store one field.",
            discussion: """
            FIELD: chileApiKey, peruApiKey, mexicoApiKey (or cleoApiKey.*), customerExternalKeyForCleo, webhookUrl, isWebhookSecured, webhookAuthorization.
            Without VALUE the value is read from standard input (one trailing newline removed; no echo on a terminal).
            The three API keys and webhookAuthorization are never taken from the command line (shell history, ps): give them on standard input.
            """)
        @OptionGroup var location: Location
        @Argument(help: "The field to set.") var field: String
        @Argument(help: "The value (not for the API keys: read from standard input).") var value: String?

        func run() throws {
            try runReporting {
                if field == WebhookAuthorization.fieldName { return try Self.setWebhookAuthorization(given: value, location: location) }
                guard let configField = ConfigField(name: field) else {
                    throw Failure.usage("unknown FIELD \(TerminalText.sanitized(field)); one of: \(ConfigField.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                if configField.isSecret && value != nil {
                    throw Failure.usage("\(configField.rawValue) is a secret and is never taken from the command line (shell history, ps); pipe it on standard input or type it at the prompt")
                }
                let text = try value ?? Self.readStandardInput(prompt: "\(configField.rawValue): ", secret: configField.isSecret)
                let database = try location.open()
                let actor = Actor.current()
                do {
                    let stored = try database.saveConfiguration([(configField, text)], expectedVersion: nil, actor: actor, now: .now())
                    printOut("saved \(configField.rawValue) = \(TerminalText.sanitized(stored.display(configField) ?? "")) (version \(stored.version))")
                    if !stored.isComplete { printOut("still missing: " + stored.missing.map(\.rawValue).joined(separator: ", ")) }
                } catch let violation as ConfigRuleViolation {
                    throw Failure.data("\(violation.field.rawValue): \(violation.rule); nothing was stored")
                }
            }
        }

        /// Reads the value from standard input; on a terminal, prompts on standard error without echo.
        static func readStandardInput(prompt: String, secret: Bool) throws -> String {
            let isTerminal = isatty(STDIN_FILENO) == 1
            var saved = termios()
            if isTerminal {
                FileHandle.standardError.write(Data(prompt.utf8))
                if secret, tcgetattr(STDIN_FILENO, &saved) == 0 {
                    var quiet = saved
                    quiet.c_lflag &= ~tcflag_t(ECHO)
                    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)
                }
            }
            defer {
                if isTerminal && secret {
                    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
                    FileHandle.standardError.write(Data("\n".utf8))
                }
            }
            var data: Data
            if isTerminal {
                data = Data((readLine(strippingNewline: false) ?? "").utf8)
            } else {
                data = FileHandle.standardInput.readDataToEndOfFile()
            }
            if data.last == 0x0A { data.removeLast() }
            if data.last == 0x0D { data.removeLast() }
            guard let text = String(data: data, encoding: .utf8) else { throw Failure.data("the value is not valid UTF-8; nothing was stored") }
            return text
        }
    }

    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The audit trail: when, who, from where, field, old → new (secrets masked), result.")
        @OptionGroup var location: Location
        @Flag(help: "JSON for scripts.") var json = false

        func run() throws {
            try runReporting {
                let trail = try location.open().auditTrail()
                let time = OperatorTime()
                if json {
                    printOut(JSONOut.array(trail.map { entry in
                        .object([
                            ("at", .string(time.rfc3339(entry.at))), ("user", .string(entry.user)), ("from", .string(entry.origin)),
                            ("field", .string(entry.field)), ("old", .optional(entry.old)), ("new", .optional(entry.new)),
                            ("result", .string(entry.result.rawValue)),
                        ])
                    }).rendered())
                    return
                }
                if trail.isEmpty { printOut("no configuration changes yet"); return }
                printOut("times in \(time.zoneName)")
                for entry in trail {
                    let change = "\(entry.old ?? "(unset)") → \(entry.new ?? "")"
                    var line = "\(time.short(entry.at))  \(entry.user)@\(entry.origin)  \(entry.field)  \(change)  \(entry.result.rawValue)"
                    if let detail = entry.detail { line += " (\(detail))" }
                    printOut(TerminalText.sanitized(line))
                }
            }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The complete configuration for the platform's Cleo connector, secrets in clear (never to a terminal; audited).")
        @OptionGroup var location: Location

        func run() throws {
            try runReporting {
                if isatty(STDOUT_FILENO) == 1 {
                    throw Failure.usage("config export prints secrets in clear and refuses to write to a terminal; redirect it (cleo-console config export > connector.json)")
                }
                let database = try location.open()
                let config: CleoConfiguration
                do {
                    config = try database.exportConfiguration(actor: .current(), now: .now())
                } catch let refusal as ExportRefusal {
                    throw Failure.data(refusal.description + "; nothing was exported")
                }
                printOut(JSONOut.object([
                    ("cleoApiKey", .object([
                        ("chileApiKey", .optional(config[.chileApiKey])), ("peruApiKey", .optional(config[.peruApiKey])),
                        ("mexicoApiKey", .optional(config[.mexicoApiKey])),
                    ])),
                    ("customerExternalKeyForCleo", .optional(config[.customerExternalKeyForCleo])),
                    ("webhookUrl", .optional(config[.webhookUrl])),
                    ("isWebhookSecured", .bool(config.isWebhookSecured)),
                ]).rendered())
            }
        }
    }
}
