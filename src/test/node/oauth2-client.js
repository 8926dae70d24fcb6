'use strict';
// simple-oauth2's ClientCredentials against the broker's RFC 6749 token endpoint, configured as any app would.
// Env: TOKEN_URL (full token endpoint URL), CLIENT_ID, CLIENT_SECRET, AUTHORIZATION_METHOD (header | body), SCOPE.
// Prints {ok: true, token: {...}, sent} or {ok: false, status, error, error_description, sent}.
const { ClientCredentials } = require('simple-oauth2');
const { required, observeRequests, run } = require('./lib/script');

run(async () => {
  const sent = observeRequests();
  const tokenUrl = new URL(required('TOKEN_URL'));
  const client = new ClientCredentials({
    client: { id: required('CLIENT_ID'), secret: required('CLIENT_SECRET') },
    auth: { tokenHost: tokenUrl.origin, tokenPath: tokenUrl.pathname },
    options: { authorizationMethod: required('AUTHORIZATION_METHOD') },
  });
  try {
    const accessToken = await client.getToken({ scope: required('SCOPE') });
    return {
      ok: true,
      token: accessToken.token,
      expired: accessToken.expired(),
      sent,
    };
  } catch (error) {
    if (!error.isBoom || !error.output) {
      throw error;
    }
    const payload = error.data && error.data.payload ? error.data.payload : {};
    return {
      ok: false,
      status: error.output.statusCode,
      error: payload.error,
      error_description: payload.error_description,
      sent,
    };
  }
});
