# wsd: a privilege-separated WebSocket daemon.
# GNU make on Debian; kept to what BSD make understands too.

PREFIX?=	/usr/local
BINDIR?=	$(PREFIX)/sbin
MANDIR?=	$(PREFIX)/share/man
SYSCONFDIR?=	/etc
UNITDIR?=	/lib/systemd/system
SYSUSERSDIR?=	/usr/lib/sysusers.d
TMPFILESDIR?=	/usr/lib/tmpfiles.d

CC?=		cc
YACC=		byacc
# libseccomp and libbsd are Linux's; OpenBSD has pledge(2) and its libc.
OS!=		uname -s
PKGS_Linux=	libseccomp libbsd-overlay libxcrypt
LIBS_Linux=	libbsd-ctor
PKGS=		libtls libcrypto jansson libevent zlib $(PKGS_$(OS))
PKG_CFLAGS!=	pkg-config --cflags $(PKGS) 2>/dev/null || true
PKG_LIBS!=	pkg-config --libs $(PKGS) $(LIBS_$(OS)) 2>/dev/null || true

# The warning set of OpenBSD's daemons, as errors.
WARNINGS=	-Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes \
		-Wmissing-declarations -Wshadow -Wpointer-arith -Wcast-qual \
		-Wsign-compare -Wformat=2 -Wno-unused-parameter
CFLAGS+=	-O2 -g -std=gnu11 $(WARNINGS) $(PKG_CFLAGS) -D_GNU_SOURCE \
		-Icommon -fstack-protector-strong -D_FORTIFY_SOURCE=2
LDFLAGS+=	-Wl,-z,relro,-z,now
LDADD=		$(PKG_LIBS)

# Each sandbox_*.c compiles to nothing on the other system.
COMMON_SRCS=	common/child.c common/hostile.c common/ipc.c common/log.c \
		common/policy.c common/sandbox.c common/sandbox_linux.c \
		common/sandbox_openbsd.c common/util.c common/htpasswd.c
PARENT_SRCS=	parent/wsd.c parent/parent.c parent/config.c parent/proc.c \
		parent/control.c parent/printconf.c parent/show.c \
		parent/parse.c parent/limits.c parent/notify.c
HANDSHAKE_SRCS=	handshake/handshake.c handshake/auth.c handshake/conn.c \
		handshake/console.c handshake/extension.c \
		handshake/http.c handshake/relay.c handshake/servers.c \
		handshake/jwt.c handshake/tls.c handshake/tlsio.c handshake/wskey.c \
		handshake/password.c handshake/pwcheck.c handshake/proxy.c
WORKER_SRCS=	worker/worker.c worker/wconn.c worker/buf.c worker/frame.c \
		worker/pmd.c worker/session.c worker/utf8.c
WSCTL_SRCS=	wsctl/wsctl.c common/ipc.c common/log.c common/util.c

WSD_OBJS=	$(COMMON_SRCS:.c=.o) $(PARENT_SRCS:.c=.o) \
		$(HANDSHAKE_SRCS:.c=.o) $(WORKER_SRCS:.c=.o)
WSCTL_OBJS=	$(WSCTL_SRCS:.c=.o)
HEADERS=	common/wsd.h common/policy.h parent/parent.h \
		handshake/handshake.h worker/worker.h

MANPAGES=	man/wsd.8 man/wsd.conf.5 man/wsctl.8

# ./wsctl is the directory of its sources, so the binary is wsctl/wsctl.
all: wsd wsctl/wsctl

wsd: $(WSD_OBJS)
	$(CC) $(LDFLAGS) -o $@ $(WSD_OBJS) $(LDADD)

wsctl/wsctl: $(WSCTL_OBJS)
	$(CC) $(LDFLAGS) -o $@ $(WSCTL_OBJS) $(LDADD)

$(WSD_OBJS) $(WSCTL_OBJS): $(HEADERS)

.SUFFIXES: .c .o .y
.c.o:
	$(CC) $(CFLAGS) -c -o $@ $<

# byacc's output is not ours to keep warning-free.
parent/parse.c: parent/parse.y
	$(YACC) -o $@ parent/parse.y
parent/parse.o: parent/parse.c
	$(CC) $(CFLAGS) -Wno-missing-prototypes -Wno-missing-declarations \
	    -c -o $@ parent/parse.c

deps:
	@sh etc/deps.sh

run: deps
	@$(MAKE) all
	@sh etc/run.sh

test: deps
	@$(MAKE) all
	@$(MAKE) -C regress
	@sh regress/run.sh

# Not part of test: each fuzzer runs FUZZ_SECONDS (see regress/Makefile).
fuzz:
	@sh etc/deps.sh fuzz
	@$(MAKE) -C regress fuzz

# Not part of test: wsd and a libwebsockets peer side by side, minutes.
bench:
	@sh etc/deps.sh bench
	@$(MAKE) all
	@$(MAKE) -C regress wsbench lws_echo
	@sh regress/bench.sh

lint:
	mandoc -Tlint -Wwarning $(MANPAGES)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(SYSCONFDIR)/examples \
	    $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) \
	    $(DESTDIR)$(TMPFILESDIR)
	install -m 0555 wsd wsctl/wsctl $(DESTDIR)$(BINDIR)
	install -m 0444 man/wsd.8 man/wsctl.8 $(DESTDIR)$(MANDIR)/man8
	install -m 0444 man/wsd.conf.5 $(DESTDIR)$(MANDIR)/man5
	install -m 0644 etc/wsd.conf $(DESTDIR)$(SYSCONFDIR)/examples/wsd.conf
	sed 's,@BINDIR@,$(BINDIR),g' etc/wsd.service > \
	    $(DESTDIR)$(UNITDIR)/wsd.service
	install -m 0644 etc/wsd.sysusers $(DESTDIR)$(SYSUSERSDIR)/wsd.conf
	install -m 0644 etc/wsd.tmpfiles $(DESTDIR)$(TMPFILESDIR)/wsd.conf

# What install installed, and nothing else: the directories may be shared.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/wsd $(DESTDIR)$(BINDIR)/wsctl \
	    $(DESTDIR)$(MANDIR)/man8/wsd.8 $(DESTDIR)$(MANDIR)/man8/wsctl.8 \
	    $(DESTDIR)$(MANDIR)/man5/wsd.conf.5 \
	    $(DESTDIR)$(SYSCONFDIR)/examples/wsd.conf \
	    $(DESTDIR)$(UNITDIR)/wsd.service \
	    $(DESTDIR)$(SYSUSERSDIR)/wsd.conf \
	    $(DESTDIR)$(TMPFILESDIR)/wsd.conf

clean:
	rm -f wsd wsctl/wsctl $(WSD_OBJS) $(WSCTL_OBJS) parent/parse.c
	@$(MAKE) -C regress clean

.PHONY: all bench deps fuzz run test lint install uninstall clean
