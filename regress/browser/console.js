/*
 * Copyright (c) 2026 The wsd developers
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
 * WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
 * MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
 * ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
 * WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
 * ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
 * OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
 */

/*
 * wsd's console in a real browser (Debian's chromium through
 * playwright-core), run by t_browser.sh against a running wsd:
 *
 *	CONSOLE_URL	the console page, e.g. http://127.0.0.1:PORT/
 *	OTHER_URL	a page of another origin (a static server)
 *	SCREENSHOT	optional: where to save a PNG after the echo
 *
 * The page must connect, echo a message typed and sent with its button,
 * and draw it as text; no CSP violation may be reported while it does.
 * A page of another origin must fail to open a WebSocket to wsd. Prints
 * "ok ..." lines; exits 1 on the first failure, 2 on the time limit.
 */

'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

const STEP_MS = 10000;		/* any one wait */
const TOTAL_MS = 60000;		/* the whole run */
const MESSAGE = 'hello <b>wsd</b> & <script>x()</script> \u00e9\u263a';

let context = null;
let profile = null;

function cleanup() {
	if (profile !== null)
		fs.rmSync(profile, { recursive: true, force: true });
}

function fail(what) {
	console.log('FAIL ' + what);
	const done = context !== null ? context.close() : Promise.resolve();
	done.catch(() => {}).finally(() => {
		cleanup();
		process.exit(1);
	});
}

function ok(what) {
	console.log('ok ' + what);
}

/* Within the page: CSP reports, to read back. */
function watchViolations() {
	window.__violations = [];
	document.addEventListener('securitypolicyviolation', (e) => {
		window.__violations.push(e.violatedDirective + ' ' +
		    e.blockedURI);
	});
}

async function violations(page, cdplog) {
	const seen = await page.evaluate(() => window.__violations);
	return seen.concat(cdplog);
}

async function consolePage(console_url, screenshot) {
	const page = await context.newPage();
	const cdplog = [];
	const errors = [];

	page.setDefaultTimeout(STEP_MS);
	await page.addInitScript(watchViolations);
	/* What chromium says about CSP goes to its log, not the console. */
	const cdp = await context.newCDPSession(page);
	cdp.on('Log.entryAdded', (e) => {
		if (/Content Security Policy/i.test(e.entry.text))
			cdplog.push('log: ' + e.entry.text);
	});
	await cdp.send('Log.enable');
	page.on('console', (m) => {
		if (m.type() === 'error' || /Content Security Policy/i.test(
		    m.text()))
			errors.push(m.type() + ': ' + m.text());
	});
	page.on('pageerror', (e) => errors.push('pageerror: ' + e.message));

	const resp = await page.goto(console_url);
	if (resp === null || resp.status() !== 200)
		return fail('console page: status ' +
		    (resp ? resp.status() : 'none'));
	ok('console page loaded');
	await page.locator('#log li.open').waitFor();
	ok('WebSocket open');

	await page.locator('#msg').fill(MESSAGE);
	await page.locator('#send').click();
	const got = page.locator('#log li.received').first();
	await got.waitFor();
	const text = await got.evaluate((li) => li.lastChild.textContent);
	if (text !== MESSAGE)
		return fail('echo: got ' + JSON.stringify(text));
	const sent = await page.locator('#log li.sent').first().evaluate(
	    (li) => li.lastChild.textContent);
	if (sent !== MESSAGE)
		return fail('sent line: got ' + JSON.stringify(sent));
	/* What came back is text: no element was made of it. */
	const made = await page.evaluate(() =>
	    document.querySelectorAll('#log b, #log script').length +
	    document.scripts.length);
	if (made !== 1)
		return fail('the echo became markup: ' + made + ' elements');
	ok('echo shown as text: ' + JSON.stringify(text));
	if (screenshot)
		await page.screenshot({ path: screenshot, fullPage: true });

	const v = await violations(page, cdplog);
	if (v.length !== 0 || errors.length !== 0)
		return fail('reports: ' + v.concat(errors).join('; '));
	ok('no CSP violation and no error reported');

	/*
	 * The watch itself works, and connect-src holds: a connection to
	 * another port is refused and reported.
	 */
	const other = new URL(console_url);
	other.port = String(Number(other.port) === 65535 ? 1 :
	    Number(other.port) + 1);
	const fetched = await page.evaluate((u) => fetch(u).then(() =>
	    'fetched', () => 'refused'), other.href);
	await page.waitForFunction(() => window.__violations.length > 0);
	const after = await violations(page, []);
	if (fetched !== 'refused' || !/^connect-src /.test(after[0]))
		return fail('connect-src: ' + fetched + ', ' + after.join('; '));
	ok('connect-src refuses another origin: ' + after[0]);
	await page.close();
	return true;
}

/* From a page of another origin: a WebSocket to wsd must not open. */
async function otherOrigin(console_url, other_url) {
	const page = await context.newPage();
	const ws = new URL(console_url);

	page.setDefaultTimeout(STEP_MS);
	ws.protocol = ws.protocol === 'https:' ? 'wss:' : 'ws:';
	const resp = await page.goto(other_url);
	if (resp === null || resp.status() !== 200)
		return fail('other page: status ' +
		    (resp ? resp.status() : 'none'));
	const outcome = await page.evaluate((u) => new Promise((done) => {
		const s = new WebSocket(u);
		s.onopen = () => done('open');
		s.onclose = (e) => done('closed ' + e.code);
	}), ws.href);
	if (outcome === 'open')
		return fail('a page of ' + new URL(other_url).origin +
		    ' opened a WebSocket to ' + ws.href);
	ok('another origin cannot connect: ' + outcome);
	await page.close();
	return true;
}

async function main() {
	const console_url = process.env.CONSOLE_URL;
	const other_url = process.env.OTHER_URL;

	if (!console_url || !other_url)
		return fail('CONSOLE_URL and OTHER_URL must be set');
	profile = fs.mkdtempSync(path.join(os.tmpdir(), 'wsd-chromium-'));
	context = await chromium.launchPersistentContext(profile, {
		executablePath: '/usr/bin/chromium',
		headless: true,
		timeout: STEP_MS,
		args: ['--headless', '--no-sandbox', '--disable-gpu',
		    '--disable-quic', '--no-first-run',
		    '--disable-background-networking',
		    '--disable-component-update', '--disable-sync'],
	});
	if (await consolePage(console_url, process.env.SCREENSHOT) !== true)
		return;
	if (await otherOrigin(console_url, other_url) !== true)
		return;
	await context.close();
	cleanup();
	console.log('passed');
	process.exit(0);
}

setTimeout(() => {
	console.log('FAIL time limit of ' + TOTAL_MS / 1000 + 's');
	cleanup();
	process.exit(2);
}, TOTAL_MS).unref();
main().catch((e) => fail(e.stack || String(e)));
