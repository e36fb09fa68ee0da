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
        subcommands: [Show.self, Set.self, History.self, Export.self, Check.self, Pending.self, Approve.self, Reject.self]
    )
}

extension ConfigCommand {
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The configuration, secrets masked, what is missing, version and last change.")
        @OptionGroup var location: Location
        @Flag(help: "JSON for scripts.") var json = false

        func run() throws {
            try runReporting {
                let database = try location.openForReading()
                let stored = try database.configuration()
                let lifecycle = try database.keyLifecycle()
                let tests = try database.cashierLastTests()
                let time = OperatorTime()
                let authorization = try database.webhookAuthorizationHint()
                let authorizationLife = try database.webhookAuthorizationLifecycle()
                if json {
                    var out = Self.json(stored, environment: database.environment, time: time, lastTests: tests).addingWebhookAuthorization(authorization)
                    if case .object(var members) = out {
                        members.append(("keys", Self.lifecycleJSON(lifecycle, time: time, webhookAuthorization: authorization == nil ? nil : authorizationLife)))
                        out = .object(members)
                    }
                    printOut(out.rendered())
                    return
                }
                printOut("environment: \(database.environment.rawValue)")
                for field in ConfigField.allCases {
                    var value = stored.display(field) ?? "(unset)"
                    if field.isSecret, let setAt = stored.secrets[field]?.setAt { value += "  set \(time.short(setAt))" }
                    if field.isSecret, let life = lifecycle[field] {
                        value += " by \(life.setBy)@\(life.setFrom)" + (life.previousFingerprint.map { ", replaced \($0)" } ?? ", the first")
                    }
                    if let test = Region.allCases.first(where: { $0.apiKeyField == field }).flatMap({ tests[$0] }) {
                        value += "  last test \(time.short(test.at)): \(test.result)" + (test.errorCode.map { " \($0)" } ?? "")
                    }
                    printOut(TerminalText.padded(field.qualifiedName, to: 28) + " " + TerminalText.sanitized(value))
                }
                printOut(Self.webhookAuthorizationLine(authorization, lifecycle: authorizationLife, time: time))
                printOut("complete: \(stored.isComplete ? "yes" : "no")" + (stored.isComplete ? "" : "  missing: " + stored.missingNames.joined(separator: ", "))
                         + (stored.lacksWebhookAuthorization ? " (isWebhookSecured is true: serve refuses to start without it)" : ""))
                let when = stored.updatedAt.map(time.short) ?? "never"
                printOut("version \(stored.version), last change \(when) (\(time.zoneName)) by \(TerminalText.sanitized(stored.updatedBy ?? "nobody"))")
                if !stored.isWebhookSecured { printOut("warning: isWebhookSecured is false: webhook calls carry no Authorization header") }
            }
        }

        /// roles.md, key lifecycle: per secret, when and by whom it was set and the fingerprint of the key it replaced.
        /// `webhookAuthorization` last, as in the text.
        static func lifecycleJSON(_ lifecycle: [ConfigField: KeyLifecycle], time: OperatorTime, webhookAuthorization: KeyLifecycle? = nil) -> JSONOut {
            func json(_ life: KeyLifecycle?) -> JSONOut {
                life.map { life in
                    JSONOut.object([("setAt", .string(time.rfc3339(life.setAt))), ("setBy", .string(life.setBy)), ("setFrom", .string(life.setFrom)),
                                    ("previousFingerprint", .optional(life.previousFingerprint))])
                } ?? .null
            }
            return .object(ConfigField.allCases.filter(\.isSecret).map { ($0.rawValue, json(lifecycle[$0])) }
                           + [(WebhookAuthorization.fieldName, json(webhookAuthorization))])
        }


        static func json(_ stored: StoredConfiguration, environment: ConsoleEnvironment, time: OperatorTime,
                         lastTests: [Region: CashierLastTest] = [:]) -> JSONOut {
            let keys = ConfigField.allCases.filter(\.isSecret)
            // cashier.md: each key's last test, `{at, result, errorCode?}` or null.
            let lastTest = JSONOut.object(keys.map { key in
                guard let test = Region.allCases.first(where: { $0.apiKeyField == key }).flatMap({ lastTests[$0] }) else { return (key.rawValue, .null) }
                var members: [(String, JSONOut)] = [("at", .string(time.rfc3339(test.at))), ("result", .string(test.result))]
                if let code = test.errorCode { members.append(("errorCode", .string(code))) }
                return (key.rawValue, .object(members))
            })
            return .object([
                ("environment", .string(environment.rawValue)),
                ("cleoApiKey", .object(keys.map { ($0.rawValue, JSONOut.optional(stored.secrets[$0]?.mask)) })),
                ("fingerprints", .object(keys.map { ($0.rawValue, JSONOut.optional(stored.secrets[$0]?.fingerprint)) })),
                ("customerExternalKeyForCleo", .optional(stored.plain[.customerExternalKeyForCleo])),
                ("webhookUrl", .optional(stored.plain[.webhookUrl])),
                ("isWebhookSecured", .bool(stored.isWebhookSecured)),
                ("complete", .bool(stored.isComplete)),
                ("missing", .array(stored.missingNames.map { .string($0) })),
                ("version", .number(String(stored.version))),
                ("updatedAt", stored.updatedAt.map { .string(time.rfc3339($0)) } ?? .null),
                ("updatedBy", .optional(stored.updatedBy)),
                ("lastTest", lastTest),
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
                let database = try location.openForChange()
                let actor = Actor.current()
                // Said before a secret is typed: a user who may not set it is not asked for it.
                try database.authorize(actor, .set(configField), field: configField.rawValue, now: .now())
                let text = try value ?? SecretPrompt.read(prompt: "\(configField.rawValue): ", secret: configField.isSecret)
                do {
                    let outcome = try database.saveOrPropose([(configField, text)], expectedVersion: nil, actor: actor, now: .now())
                    let stored = outcome.stored
                    if let change = outcome.proposed.first {
                        let time = OperatorTime()
                        printOut(TerminalText.sanitized("proposed #\(change.id): \(configField.rawValue) \(change.old ?? "(unset)") → \(change.new); in production this waits for a second person "
                                                        + "(config approve \(change.id)) until \(time.short(change.expiresAt)) (\(time.zoneName)); the old value stays in force"))
                        return
                    }
                    printOut("saved \(configField.rawValue) = \(TerminalText.sanitized(stored.display(configField) ?? "")) (version \(stored.version))")
                    if !stored.isComplete { printOut("still missing: " + stored.missingNames.joined(separator: ", ")) }
                } catch let violation as ConfigRuleViolation {
                    throw Failure.data("\(violation.field.rawValue): \(violation.rule); nothing was stored")
                }
            }
        }

    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Say whether a key you hold is the one set (the key on standard input, never on the command line).",
            discussion: "Exit 0 when it is the key set; 65 when it is not, or no key is set. Needs the key file.")
        @OptionGroup var location: Location
        @Argument(help: "chileApiKey, peruApiKey or mexicoApiKey.") var field: String

        func run() throws {
            try runReporting {
                guard let configField = ConfigField(name: field), configField.isSecret else {
                    throw Failure.usage("config check is for the keys: \(ConfigField.allCases.filter(\.isSecret).map(\.rawValue).joined(separator: ", ")); \(TerminalText.sanitized(field)) is not one")
                }
                let candidate = try SecretPrompt.read(prompt: "\(configField.rawValue) to check: ", secret: true)
                switch try location.open().secretMatches(candidate, field: configField) {
                case true?: printOut("\(configField.rawValue): the key given is the one set")
                case false?: throw Failure.data("\(configField.rawValue): the key given is not the one set")
                case nil: throw Failure.data("\(configField.rawValue) is not set")
                }
            }
        }
    }

    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The audit trail: when, who, from where, field, old → new (secrets masked), result.")
        @OptionGroup var location: Location
        @Flag(help: "JSON for scripts.") var json = false

        func run() throws {
            try runReporting {
                let trail = try location.openForReading().auditTrail()
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
                let database = try location.openForChange()
                do {
                    // Audited only once the bytes are out: a full disk or a closed pipe (74) exports nothing.
                    try database.exportConfiguration(actor: .current(), now: .now()) { config in
                        try StandardOutput.write(Self.json(config).rendered())
                    }
                } catch let refusal as ExportRefusal {
                    throw Failure.data(refusal.description + "; nothing was exported")
                } catch Failure.output(let message) {
                    throw Failure.output(message + "; the export was not audited as done")
                }
            }
        }

        static func json(_ config: CleoConfiguration) -> JSONOut {
            JSONOut.object([
                ("cleoApiKey", .object([
                    ("chileApiKey", .optional(config[.chileApiKey])), ("peruApiKey", .optional(config[.peruApiKey])),
                    ("mexicoApiKey", .optional(config[.mexicoApiKey])),
                ])),
                ("customerExternalKeyForCleo", .optional(config[.customerExternalKeyForCleo])),
                ("webhookUrl", .optional(config[.webhookUrl])),
                ("isWebhookSecured", .bool(config.isWebhookSecured)),
            ])
        }
    }
}
