// Node-RED settings for the broker's end-to-end test: a headless runtime on loopback that serves only its flows'
// HTTP endpoints. Start it with: node-red --settings settings.js --userDir <dir> --port <port or 0>.
// The flow reads the broker's token URL, client id and client secret from the environment (BROKER_TOKEN_URL,
// BROKER_CLIENT_ID, BROKER_CLIENT_SECRET), so no secret is written to flows.json or flows_cred.json.
module.exports = {
    uiHost: '127.0.0.1',
    flowFile: 'flows.json',
    lang: 'en-US',
    // No editor and no admin API: nothing here needs them, and the test asserts on flow endpoints only.
    disableEditor: true,
    httpAdminRoot: false,
    httpNodeRoot: '/',
    httpRequestTimeout: 20000,
    telemetry: { enabled: false, updateNotification: false },
    diagnostics: { enabled: false, ui: false },
    externalModules: { autoInstall: false, palette: { allowInstall: false }, modules: { allowInstall: false } },
    logging: { console: { level: 'info', metrics: false, audit: false } },
    functionExternalModules: false,
};
