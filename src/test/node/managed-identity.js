'use strict';
// @azure/identity's ManagedIdentityCredential, which finds the App Service protocol through IDENTITY_ENDPOINT and
// IDENTITY_HEADER in the environment, exactly as in Azure App Service or Functions.
// Env: IDENTITY_ENDPOINT, IDENTITY_HEADER, SCOPE, and optionally MI_CLIENT_ID (user-assigned by client ID) or
// MI_RESOURCE_ID (user-assigned by resource ID; the broker reads it as a registration id).
// Prints {ok: true, token: {token, expires_on_timestamp, refresh_after_timestamp, token_type}, sent}
// or {ok: false, name, message, status, sent}.
const { ManagedIdentityCredential } = require('@azure/identity');
const { required, observeRequests, run } = require('./lib/script');

function credential() {
  if (process.env.MI_CLIENT_ID) {
    return new ManagedIdentityCredential({ clientId: process.env.MI_CLIENT_ID });
  }
  if (process.env.MI_RESOURCE_ID) {
    return new ManagedIdentityCredential({ resourceId: process.env.MI_RESOURCE_ID });
  }
  return new ManagedIdentityCredential();
}

run(async () => {
  required('IDENTITY_ENDPOINT');
  required('IDENTITY_HEADER');
  const sent = observeRequests();
  try {
    const token = await credential().getToken(required('SCOPE'));
    return {
      ok: true,
      token: {
        token: token.token,
        expires_on_timestamp: token.expiresOnTimestamp,
        refresh_after_timestamp: token.refreshAfterTimestamp,
        token_type: token.tokenType,
      },
      sent,
    };
  } catch (error) {
    return { ok: false, name: error.name, message: error.message, status: error.statusCode, sent };
  }
});
