// The login form: posts the operator token in the body (never in a URL); the bridge answers with an
// HttpOnly session cookie, and the console page is loaded in place of this one.
'use strict';
document.getElementById('login').addEventListener('submit', async (event) => {
  event.preventDefault();
  const error = document.getElementById('login-error');
  error.textContent = '';
  const token = document.getElementById('token').value;
  try {
    const answer = await fetch('console/login', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    if (answer.ok) {
      window.location.reload();
      return;
    }
    const body = await answer.json().catch(() => ({}));
    error.textContent = answer.status === 401 ? 'That is not the operator token.' : (body.message || 'Login failed (HTTP ' + answer.status + ').');
  } catch (e) {
    error.textContent = 'The bridge cannot be reached: ' + e.message;
  }
  document.getElementById('token').focus();
});
