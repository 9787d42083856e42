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
 * The console: one small page for people, served to a plain GET of a
 * server's console path. It opens a WebSocket to the URL it was loaded
 * from (http: to ws:, https: to wss:) and logs what is sent, echoed and
 * closed. The page loads nothing else; its one script and one style are
 * allowed by their SHA-256 hashes, computed here at start, so the
 * Content-Security-Policy needs no 'unsafe-inline', and connect-src
 * names only this server's own ws:// or wss:// host and port. Whatever
 * arrives is shown with textContent, never parsed as HTML. The page's
 * origin is the server's own, so the same-origin rule admits it; a page
 * of another origin still cannot connect.
 */

#include <sys/types.h>

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "handshake.h"

#define CONSOLE_STYLE							\
	"body{font:15px/1.4 system-ui,sans-serif;margin:0 auto;"	\
	"max-width:48em;padding:1em;color:#222;background:#fafafa}"	\
	"h1{font-size:1.2em;margin:0 0 .2em}"				\
	"#url{color:#555;font-family:monospace;margin:0 0 1em}"	\
	"#bar{display:flex;gap:.5em}"					\
	"#msg{flex:1;font:inherit;padding:.3em}"			\
	"button{font:inherit;padding:.3em 1em}"				\
	"#log{list-style:none;padding:0;margin:1em 0;"			\
	"font-family:monospace;white-space:pre-wrap;"			\
	"overflow-wrap:anywhere}"					\
	"#log li{padding:.15em .4em;border-bottom:1px solid #eee}"	\
	".k{display:inline-block;width:6em;color:#777}"			\
	".sent .k{color:#05a}.received .k{color:#080}"			\
	".closed .k,.error .k{color:#b00}"

#define CONSOLE_SCRIPT							\
	"'use strict';(function(){"					\
	"var log=document.getElementById('log'),"			\
	"msg=document.getElementById('msg'),"				\
	"ws=null,url=(location.protocol==='https:'?'wss://':'ws://')+"	\
	"location.host+location.pathname;"				\
	"function line(kind,text){"					\
	"var li=document.createElement('li'),"				\
	"k=document.createElement('span');"				\
	"li.className=kind;k.className='k';k.textContent=kind;"		\
	"li.appendChild(k);li.appendChild(document.createTextNode(text));"\
	"log.appendChild(li);"						\
	"while(log.childNodes.length>500)log.removeChild(log.firstChild);"\
	"li.scrollIntoView(false);}"					\
	"function connect(){"						\
	"if(ws!==null&&ws.readyState<2)return;"				\
	"line('connect',url);ws=new WebSocket(url);"			\
	"ws.binaryType='arraybuffer';"					\
	"ws.onopen=function(){line('open','');};"			\
	"ws.onmessage=function(e){line('received',"			\
	"typeof e.data==='string'?e.data:"				\
	"'('+e.data.byteLength+' bytes, binary)');};"			\
	"ws.onerror=function(){line('error','the connection failed');};"\
	"ws.onclose=function(e){line('closed','code '+e.code+"		\
	"(e.reason?', '+e.reason:''));};}"				\
	"function send(){"						\
	"if(ws===null||ws.readyState!==1){line('error','not open');"	\
	"return;}"							\
	"ws.send(msg.value);line('sent',msg.value);msg.value='';"	\
	"msg.focus();}"							\
	"document.getElementById('url').textContent=url;"		\
	"document.getElementById('send').addEventListener('click',send);"\
	"document.getElementById('reconnect').addEventListener('click',"\
	"connect);"							\
	"msg.addEventListener('keydown',function(e){"			\
	"if(e.key==='Enter')send();});"					\
	"connect();})();"

/* No form: form-action 'none' would refuse it if the script failed. */
static const char console_html[] =
	"<!DOCTYPE html>\n"
	"<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	"<meta name=\"viewport\" content=\"width=device-width\">\n"
	"<title>wsd console</title>\n"
	"<style>" CONSOLE_STYLE "</style>\n"
	"</head><body>\n"
	"<h1>wsd console</h1>\n"
	"<p id=\"url\"></p>\n"
	"<div id=\"bar\"><input id=\"msg\" autocomplete=\"off\" autofocus "
	"aria-label=\"message\" placeholder=\"a message to send\">"
	"<button id=\"send\" type=\"button\">send</button>"
	"<button id=\"reconnect\" type=\"button\">reconnect</button></div>\n"
	"<ol id=\"log\"></ol>\n"
	"<script>" CONSOLE_SCRIPT "</script>\n"
	"</body></html>\n";

/* base64 of a SHA-256 digest: 44 characters and a NUL. */
#define HASH_B64_LEN	44

static char	 script_hash[HASH_B64_LEN + 1];
static char	 style_hash[HASH_B64_LEN + 1];

static void
console_hash(const char *s, size_t len, char *out)
{
	uint8_t		 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen;

	if (EVP_Digest(s, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != 32 || base64_encode(md, mdlen, out, HASH_B64_LEN + 1) !=
	    HASH_B64_LEN)
		fatalx("%s: cannot hash the console page", __func__);
}

/* At start, before the sandbox: OpenSSL may still want its files. */
void
console_init(void)
{
	console_hash(CONSOLE_SCRIPT, sizeof(CONSOLE_SCRIPT) - 1, script_hash);
	console_hash(CONSOLE_STYLE, sizeof(CONSOLE_STYLE) - 1, style_hash);
}

const char *
console_page(size_t *len)
{
	*len = sizeof(console_html) - 1;
	return (console_html);
}

/*
 * The response head for the page, Content-Length included (a HEAD gets
 * the head alone). Host, as parsed by host_parse, names only letters,
 * digits, '-', '.' or an IPv6 address: safe in a header. Returns the
 * length, or -1 when buf is too small.
 */
int
console_head(char *buf, size_t size, const struct hostport *hp, int tls)
{
	int	 n;

	n = snprintf(buf, size, "HTTP/1.1 200 OK\r\n"
	    "Connection: close\r\n"
	    "Content-Type: text/html; charset=utf-8\r\n"
	    "Content-Length: %zu\r\n"
	    "Content-Security-Policy: default-src 'none'; "
	    "script-src 'sha256-%s'; style-src 'sha256-%s'; "
	    "connect-src %s://%s%s%s:%u; frame-ancestors 'none'; "
	    "base-uri 'none'; form-action 'none'\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "Cache-Control: no-store\r\n"
	    "Referrer-Policy: no-referrer\r\n"
	    "\r\n", sizeof(console_html) - 1, script_hash, style_hash,
	    tls ? "wss" : "ws", hp->v6 ? "[" : "", hp->host, hp->v6 ? "]" : "",
	    hp->port ? hp->port : (tls ? 443 : 80));
	return (n < 0 || (size_t)n >= size ? -1 : n);
}
