import Foundation
import LabDocker
import LabFiles
import LabImage
import LabOutput
import LabShell
import LabTestSupport
import Testing

/// A workspace with the same files on the host (for the real bash) and in the sandbox.
struct ShellFixture {
  let workspace: String
  let store: ImageStore

  init() throws {
    workspace = try TestSupport.scratchDirectory("shell")
    store = ImageStore(root: try TestSupport.scratchDirectory("shell-store"))
    try store.initialize()
    let files: [String: String] = [
      "app.py": "print('hello')\n",
      "Dockerfile": "FROM python:3.9-slim\nCOPY . /app\n",
      "notes/readme.md": "# Notes\nfirst line\nsecond line\n",
      "notes/todo.txt": "buy milk\n",
      "data.csv": "name,size,kind\nnginx,188,web\nalpine,8,base\npython,125,lang\nalpine,8,base\n",
      "words.txt": "banana\napple\ncherry\napple\nBanana\n",
      "script.sh": "#!/bin/sh\necho \"script says $1\"\n",
      ".hidden": "secret\n",
    ]
    for (path, text) in files {
      // Explicit modes: another test's extraction may hold the umask at 0 for an instant.
      try HostPaths.createDirectories(PathText.parent("\(workspace)/\(path)"))
      try HostPaths.createFile("\(workspace)/\(path)", contents: Array(text.utf8))
    }
    chmod("\(workspace)/script.sh", 0o755)
    try FileManager.default.createSymbolicLink(
      atPath: "\(workspace)/link-to-app", withDestinationPath: "app.py")
    for name in [
      "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
      "lambda-long-name", "mu",
    ] {
      try HostPaths.createDirectories("\(workspace)/many/\(name)")
    }
  }

  /// A session over the fixture's store and workspace, its clock at the lessons' default start.
  func session() throws -> SandboxSession {
    try SandboxSession(
      store: store, workspace: workspace,
      registry: EmbeddedRegistry(root: TestSupport.registryRoot), clock: VirtualClock(),
      keepsClock: false)
  }

  /// Runs the line in the sandbox.
  func ours(_ line: String) -> CommandOutput {
    guard var session = try? session() else {
      return .failure("the test's session could not be made", status: 1)
    }
    return session.run(line)
  }

  /// Runs the line with the real bash and GNU tools in a copy of the workspace.
  func real(_ line: String) throws -> ToolOutput? {
    guard let bash = TestSupport.tool("bash") else { return nil }
    let copy = try TestSupport.scratchDirectory("real")
    try? FileManager.default.removeItem(atPath: copy)
    try FileManager.default.copyItem(atPath: workspace, toPath: copy)
    return try TestSupport.run(
      bash, ["--noprofile", "--norc", "-c", line],
      environment: ["LC_ALL": "C.UTF-8", "HOME": copy, "TZ": "UTC", "COLUMNS": "80"],
      directory: copy)
  }
}

@Suite("The sandbox shell against the real bash and GNU tools")
struct ShellOracleTests {
  /// Lines whose standard output and status must equal bash's.
  ///
  /// `ls -C` stands in for our terminal layout, since the real `ls` writes one name a line
  /// into a pipe.
  static let cases: [(ours: String, real: String)] =
    [
      ("echo \"a  b\" 'c  d' e\\ f", "echo \"a  b\" 'c  d' e\\ f"),
      (
        "X=1; Y=\"two words\"; echo $X ${X} \"$Y\" $Y",
        "X=1; Y=\"two words\"; echo $X ${X} \"$Y\" $Y"
      ),
      (
        "X=abc; echo ${NOPE:-default} ${NOPE-x} ${HOME:+set} ${#X} ${X#a} ${X%c}",
        "X=abc; echo ${NOPE:-default} ${NOPE-x} ${HOME:+set} ${#X} ${X#a} ${X%c}"
      ),
      (
        "echo $(echo hi) `echo there` \"$(printf '%s' quoted)\"",
        "echo $(echo hi) `echo there` \"$(printf '%s' quoted)\""
      ),
      ("echo $((1 + 2 * 3)) $(( (7 - 1) / 2 ))", "echo $((1 + 2 * 3)) $(( (7 - 1) / 2 ))"),
      (
        "false; echo $?; true && echo yes || echo no; false || echo rescued",
        "false; echo $?; true && echo yes || echo no; false || echo rescued"
      ),
      ("cat <<EOF\nline $((2+2))\n  indented\nEOF", "cat <<EOF\nline $((2+2))\n  indented\nEOF"),
      ("cat <<'EOF'\nno $expansion here\nEOF", "cat <<'EOF'\nno $expansion here\nEOF"),
      ("cat <<-EOF\n\tstripped\n\tEOF", "cat <<-EOF\n\tstripped\n\tEOF"),
      (
        "echo one > out.txt; echo two >> out.txt; cat out.txt; wc -l < out.txt",
        "echo one > out.txt; echo two >> out.txt; cat out.txt; wc -l < out.txt"
      ),
      ("ls nosuch 2>&1 | head -c 20; echo", "ls nosuch 2>&1 | head -c 20; echo"),
      ("echo *.py *.txt no*match", "echo *.py *.txt no*match"),
      ("echo notes/*", "echo notes/*"),
      // Regular expressions as GNU grep and sed read them, through the C library's matcher.
      (
        "printf 'aab\\nab\\nb\\n' | grep 'a\\+b'; printf 'color\\ncolour\\n' | grep -c 'colou\\?r'",
        "printf 'aab\\nab\\nb\\n' | grep 'a\\+b'; printf 'color\\ncolour\\n' | grep -c 'colou\\?r'"
      ),
      (
        "printf '%060d\\n' 0 | tr 0 a | sed 's/$/b/' | grep -cE '(a+)+$'; echo $?",
        "printf '%060d\\n' 0 | tr 0 a | sed 's/$/b/' | grep -cE '(a+)+$'; echo $?"
      ),
      (
        "printf 'a word here\\nwordy\\n' | grep -w word; printf 'a.b\\naxb\\n' | grep -F a.b",
        "printf 'a word here\\nwordy\\n' | grep -w word; printf 'a.b\\naxb\\n' | grep -F a.b"
      ),
      // Context around matches, as build logs are read: `grep -A 15 'RUN apk'`.
      (
        "seq 1 12 | grep -A 1 -B 2 '^[48]$'; seq 1 9 | grep -n -C 1 5; seq 1 20 | grep -m 2 -A 1 1",
        "seq 1 12 | grep -A 1 -B 2 '^[48]$'; seq 1 9 | grep -n -C 1 5; seq 1 20 | grep -m 2 -A 1 1"
      ),
      (
        "echo 'ab cd' | sed 's/\\([a-z]\\)\\([a-z]\\)/\\2\\1/g'; echo 'x1 x22' | sed -E 's/x([0-9]+)/[&|\\1]/'",
        "echo 'ab cd' | sed 's/\\([a-z]\\)\\([a-z]\\)/\\2\\1/g'; echo 'x1 x22' | sed -E 's/x([0-9]+)/[&|\\1]/'"
      ),
      (
        "echo nginx:80 | grep -o '[0-9]*'; echo abc | grep '(' ; echo $?",
        "echo nginx:80 | grep -o '[0-9]*'; echo abc | grep '(' ; echo $?"
      ),
      ("mkdir -p x; cp -r x x/b; echo $?; ls x", "mkdir -p x; cp -r x x/b; echo $?; ls x"),
      ("ls", "ls -C"),
      ("ls -a", "ls -a -C"),
      ("ls -A notes many", "ls -A -C notes many"),
      ("ls many", "ls -C many"),
      ("ls -1 | head -3", "ls -1 | head -3"),
      ("ls -d notes app.py", "ls -d -C notes app.py"),
      ("ls -R notes", "ls -R -C notes"),
      ("ls -r", "ls -r -C"),
      ("cat -n notes/readme.md", "cat -n notes/readme.md"),
      (
        "head -n 2 data.csv; tail -n 1 data.csv; tail -n +4 data.csv",
        "head -n 2 data.csv; tail -n 1 data.csv; tail -n +4 data.csv"
      ),
      ("head -2 words.txt notes/todo.txt", "head -2 words.txt notes/todo.txt"),
      (
        "wc data.csv; wc -l words.txt; cat words.txt | wc -w",
        "wc data.csv; wc -l words.txt; cat words.txt | wc -w"
      ),
      ("wc -c app.py Dockerfile", "wc -c app.py Dockerfile"),
      (
        "grep -n apple words.txt; grep -c an words.txt; grep -i BANANA words.txt",
        "grep -n apple words.txt; grep -c an words.txt; grep -i BANANA words.txt"
      ),
      (
        "grep -v a words.txt; grep -E 'ch|ki' words.txt; grep -r milk notes",
        "grep -v a words.txt; grep -E 'ch|ki' words.txt; grep -r milk notes"
      ),
      ("grep nothing words.txt; echo $?", "grep nothing words.txt; echo $?"),
      (
        "sort words.txt; sort -r words.txt | head -2; sort -u words.txt",
        "sort words.txt; sort -r words.txt | head -2; sort -u words.txt"
      ),
      (
        "sort words.txt | uniq -c; sort words.txt | uniq -d",
        "sort words.txt | uniq -c; sort words.txt | uniq -d"
      ),
      (
        "cut -d, -f1,3 data.csv; cut -c1-3 words.txt", "cut -d, -f1,3 data.csv; cut -c1-3 words.txt"
      ),
      ("sort -t, -k2 -n data.csv", "sort -t, -k2 -n data.csv"),
      (
        "echo Hello World | tr a-z A-Z; echo hello | tr -d l; echo 'a   b' | tr -s ' '",
        "echo Hello World | tr a-z A-Z; echo hello | tr -d l; echo 'a   b' | tr -s ' '"
      ),
      (
        "sed 's/apple/APPLE/' words.txt; sed -n '2p' words.txt; sed '1d;s/an/AN/g' words.txt",
        "sed 's/apple/APPLE/' words.txt; sed -n '2p' words.txt; sed '1d;s/an/AN/g' words.txt"
      ),
      (
        "awk -F, '{print $1, $3}' data.csv; echo 'a b c' | awk '{print $2}'",
        "awk -F, '{print $1, $3}' data.csv; echo 'a b c' | awk '{print $2}'"
      ),
      (
        "echo -n \"sha256:abc sha256:def\" | sha256sum; sha256sum app.py",
        "echo -n \"sha256:abc sha256:def\" | sha256sum; sha256sum app.py"
      ),
      (
        "printf '%s-%d|%5s|%-4s|\\n' a 5 right left; printf '%s\\n' x y z",
        "printf '%s-%d|%5s|%-4s|\\n' a 5 right left; printf '%s\\n' x y z"
      ),
      (
        "echo -e 'tab\\there'; echo -n no-newline; echo",
        "echo -e 'tab\\there'; echo -n no-newline; echo"
      ),
      (
        "mkdir -p a/b/c && touch a/b/c/file && ls a/b/c && rm -r a && ls a 2>/dev/null; echo $?",
        "mkdir -p a/b/c && touch a/b/c/file && ls a/b/c && rm -r a && ls a 2>/dev/null; echo $?"
      ),
      (
        "cp app.py copy.py && mv copy.py moved.py && cat moved.py && cp -r notes notes2 && ls notes2",
        "cp app.py copy.py && mv copy.py moved.py && cat moved.py && cp -r notes notes2 && ls -C notes2"
      ),
      (
        "ln -s notes/readme.md shortcut && cat shortcut && readlink shortcut",
        "ln -s notes/readme.md shortcut && cat shortcut && readlink shortcut"
      ),
      (
        "cd notes && pwd | sed 's|.*/||' && cd .. && ls -d notes",
        "cd notes && pwd | sed 's|.*/||' && cd .. && ls -d notes"
      ),
      (
        "find notes -name '*.md'; find . -maxdepth 1 -type d | sort",
        "find notes -name '*.md'; find . -maxdepth 1 -type d | sort"
      ),
      ("./script.sh first; sh script.sh second", "./script.sh first; sh script.sh second"),
      (
        "test -f app.py && echo file; [ -d notes ] && echo dir; [ 3 -gt 5 ] || echo smaller; [ abc = abc ] && echo same",
        "test -f app.py && echo file; [ -d notes ] && echo dir; [ 3 -gt 5 ] || echo smaller; [ abc = abc ] && echo same"
      ),
      ("chmod 700 app.py && stat -c '%a %A' app.py", "chmod 700 app.py && stat -c '%a %A' app.py"),
      (
        "tar -cf out.tar notes && tar -tf out.tar && mkdir x && tar -xf out.tar -C x && cat x/notes/todo.txt",
        "tar -cf out.tar notes && tar -tf out.tar | sort && mkdir x && tar -xf out.tar -C x && cat x/notes/todo.txt"
      ),
      (
        "gzip -k app.py && zcat app.py.gz && gunzip -c app.py.gz",
        "gzip -k app.py && zcat app.py.gz && gunzip -c app.py.gz"
      ),
      (
        "basename /a/b/c.txt .txt; dirname /a/b/c.txt",
        "basename /a/b/c.txt .txt; dirname /a/b/c.txt"
      ),
      (
        "echo a; { echo b; echo c; } > grouped.txt; cat grouped.txt; (cd notes; pwd | sed 's|.*/||'); pwd | grep -c notes",
        "echo a; { echo b; echo c; } > grouped.txt; cat grouped.txt; (cd notes; pwd | sed 's|.*/||'); pwd | grep -c notes"
      ),
      (
        "X=outer; (X=inner); echo $X; for_ignored=1; echo $for_ignored",
        "X=outer; (X=inner); echo $X; for_ignored=1; echo $for_ignored"
      ),
      (
        "cat app.py | tee copy.txt | wc -c; cat copy.txt",
        "cat app.py | tee copy.txt | wc -c; cat copy.txt"
      ),
      ("echo 'a b' | cat - notes/todo.txt", "echo 'a b' | cat - notes/todo.txt"),
    ] + sameLine.map { ($0, $0) }

  /// Lines that run unchanged in both shells.
  static let sameLine: [String] =
    [
      #"printf 'a\tb\001\n\n\n\303\251x\177\n' | cat -A; printf 'x\n\n\n\ny\n' | cat -sb"#,
      "cat -n words.txt notes/todo.txt; printf 'a\tb' | cat -ET; echo; cat -e notes/todo.txt",
      #"echo 'Hello, World 42!' | tr -cd 'a-z\n'; echo 'a--b  c' | tr -cs 'a-z' '\n'"#,
      #"echo -e 'a\x41\0101\tb\c'; echo; printf '%b|%s\n' 'x\ty' 'p\tq'; printf '\x4a\101\n'"#,
      "{ echo a; ls nosuch; echo c; } 2>&1; cat -Z 2>&1; echo $?; ls -Y 2>&1; echo $?",
      "sha256sum -b app.py; sha256sum app.py; touch -c absent; ls absent 2>&1",
      "readlink -n link-to-app; echo; tr 2>&1; echo $?",
      "printf '188MB\\n7.8MB\\n1.2GB\\n4.26MB\\n512kB\\n0B\\n' | sort -h; printf '10\\n9\\n-1\\n' | sort -n",
      #"awk -F, 'NR>1 {print $1":"$2}' data.csv; awk -F, '/alpine/ {print $3}' data.csv; awk '!/a/' words.txt"#,
      #"awk -F, '{ n += 1; s += $2 } END { print n, s, s / n }' data.csv; awk 'NR==2' words.txt"#,
      #"awk -F, '$1 == "alpine" { printf "%s=%d\n", $1, $2 * 2 }' data.csv; awk -v x=ap '$0 ~ x' words.txt"#,
      #"awk '{ if ($1 ~ /^b/) print "B", NR; else print "-" }' words.txt; awk '{print $NF, NF}' notes/readme.md"#,
      #"awk 'BEGIN { x = 3; x++; print x * 2, 7 % 3, -x } NR < 2 { print toupper($0), length($0), substr($0, 2, 3), index($0, "an") }' words.txt"#,
      #"awk '{ print length }' words.txt | sort -n | uniq -c; awk 'NF > 0 { n++; next } { e++ } END { print n, e + 0 }' notes/readme.md"#,
      "sleep x 2>&1; echo $?; sleep 2>&1; echo $?; sleep 0; echo $?",
      "echo {a,b}.txt x{1..3} {c..a} {} {x} a{,b} {1..10..3} {5..1..2} \"{a,b}\" {a,b}\"c\" x{a,b}{1,2}",
      "mkdir -p app/{src,tests/{unit,e2e}} && find app -type d | sort; touch app/src/{main,util}.py; ls -1 app/src",
      "for f in *.txt notes/*; do echo \"[$f]\"; done; for i in $(seq 2 2 6); do printf '%s,' $i; done",
      "if [ -f app.py ]; then echo yes; elif true; then echo no; else echo never; fi; if false; then :; fi; echo $?",
      "i=0; while [ $i -lt 3 ]; do i=$((i+1)); [ $i = 2 ] && continue; echo $i; done; until true; do :; done; echo $?",
      "for a in x y; do for b in 1 2; do echo $a$b; continue 2; done; done; break; echo $?",
      "cut -d, -f1 data.csv | while read name; do echo \"<$name>\"; done; printf 'a b c\\n' | while read x rest; do echo \"$rest|$x\"; done",
      "seq 3 | xargs echo n; seq 4 | xargs -n 2 echo; ls notes | xargs -I {} echo 'got {}'; echo | xargs -r echo none",
      "for i in 1 2; do echo $i; done > loop.txt; cat loop.txt; seq 5 | tail -2; seq 2 1 2>&1; echo $?",
      #"printf 'b\r\na\r\n' > crlf.txt; head -1 crlf.txt | cat -A; sort crlf.txt | cat -A; wc -l crlf.txt"#,
      "sort --reverse words.txt; wc --lines words.txt; head --lines=2 data.csv; tail --lines 1 data.csv",
      "grep --count --ignore-case banana words.txt; cut --delimiter=, --fields=1 data.csv | uniq --count",
      "cat --show-ends --number notes/todo.txt; cat --frobnicate 2>&1; echo $?; ls --all --color=auto | tail -3",
      // od, diff, cp -u, tar -O and awk's arrays and loops, against coreutils, diffutils, GNU tar
      // and mawk. `diff -u` headers carry the copies' times, so their first two lines are cut.
      "od -c app.py; od -An -tx1 words.txt; od -t x1 -t c -N 20 data.csv; od -x app.py; od -A d -t d1 -t u1 -j 2 -N 5 words.txt",
      #"printf '%064d' 0 | od -c; printf '%064d\n' 0 | od -v -An -tx1 | head -2; od -b -w8 app.py; od -t a notes/todo.txt; od -A x -t o1 -t x2 notes/todo.txt"#,
      "od nosuch 2>&1; echo $?; od -t q app.py 2>&1; echo $?; od -j 100 app.py 2>&1; echo $?; od -A z app.py 2>&1; echo $?",
      #"printf 'a\nb\nc\nd\n' > x; printf 'a\nc\nd\ne\n' > y; diff x y; echo $?; diff -u x y | tail -n +3; diff -q x y; diff x x; echo $?; diff nosuch x 2>&1; echo $?"#,
      "mkdir -p d1/s d2/s; echo 1 > d1/f; echo 2 > d2/f; echo o > d1/only; echo a > d1/s/z; echo b > d2/s/z; diff d1 d2; echo $?; diff -r d1 d2; diff -ru d1 d2 | grep -v '^[-+][-+][-+] '; diff -rq d1 d2",
      #"printf 'a\nb' > p; printf 'a\nc' > q; diff p q; diff -u p q | tail -n +3; diff -U1 words.txt data.csv | tail -n +3; diff words.txt notes; echo $?"#,
      #"seq 1 20 > s1; seq 1 20 | awk '$0==5{print "five";next} $0==12{next} {print} $0==18{print "extra"}' > s2; diff s1 s2; diff -u s1 s2 | tail -n +3; diff -U0 s1 s2 | tail -n +3"#,
      #"printf 'a\na\nb\na\n' > r1; printf 'a\nb\na\na\n' > r2; diff r1 r2; diff -u r1 r2 | tail -n +3"#,
      "echo new > src; cp -u src dst; cat dst; echo old > dst; cp -u src dst; cat dst; sleep 1; touch src; cp -u src dst; cat dst; mkdir t; cp -u src t; cat t/src",
      "tar -cf o.tar notes app.py; tar -xOf o.tar app.py; tar -xOf o.tar notes/todo.txt; tar -xvOf o.tar app.py 2>/dev/null; tar -xOf o.tar nosuch 2>&1; echo $?; tar -tf o.tar notes/todo.txt; tar xOf o.tar notes/readme.md | wc -l",
      "awk -F, 'NR>1 { n[$1]++ } END { for (k in n) print k, n[k] }' data.csv | sort",
      #"awk '{ c[$1]++ } END { print length(c); if ("apple" in c) print "yes"; delete c["apple"]; print ("apple" in c), length(c); delete c; print length(c) }' words.txt"#,
      #"awk 'BEGIN { for (i = 1; i <= 3; i++) printf "%d ", i; print ""; i = 0; while (i < 3) { i++; if (i == 2) continue; print "w" i }; do { j++ } while (j < 5); print j }'"#,
      #"awk 'BEGIN { n = split("a:b:c", parts, ":"); print n, parts[1], parts[3]; m = split("  x  y ", w); print m, w[1] w[2]; k = split("a1b22c", r, /[0-9]+/); print k, r[1], r[2], r[3] }'"#,
      #"awk 'BEGIN { a[1,2] = 5; if ((1,2) in a) print "pair"; for (k in a) { split(k, p, SUBSEP); print p[1], p[2] } }'; awk '{ $2 = "X"; print; print NF }' notes/readme.md"#,
      #"awk 'BEGIN { for (;;) { if (++i > 4) break }; print i; exit 3; print "never" } END { print "end" }'; echo $?; awk 'NR==2 { exit } END { print NR }' words.txt"#,
      #"awk -F, '{ sum[$3] += $2 } END { for (k in sum) printf("%s=%d\n", k, sum[k]) }' data.csv | sort; awk '{ for (i = NF; i > 0; i--) printf "%s%s", $i, (i > 1 ? " " : "\n") }' notes/readme.md"#,
      #"printf 'a\na\nb\na\n' > r1; printf 'a\nb\na\na\n' > r2; diff r1 r2; diff -u r1 r2 | tail -n +3; : > e; diff r1 e; diff -u e r1 | tail -n +3; diff -u notes/readme.md words.txt | tail -n +3"#,
      #"diff -u Dockerfile app.py | tail -n +3; printf 'x\ny\n' | diff - notes/todo.txt; diff -s app.py app.py; diff app.py notes 2>&1; echo $?"#,
    ] + arrayLines + awkFunctionLines + sedTextLines

  /// bash's indexed arrays: lists with quoting and expansions, `+=`, subscripts that are
  /// arithmetic, `@` and `*` quoted and not, counts, indices, slices, `unset`, `local -a`, and
  /// arrays kept from the environment of commands.
  static let arrayLines: [String] = [
    #"arr=(a "b c" $(echo d e) 'f  g'); echo ${#arr[@]}; printf '[%s]\n' "${arr[@]}"; printf '<%s>' ${arr[@]}; echo; echo "${arr[*]}" $arr ${arr[1]} ${#arr[1]} ${#arr[*]}"#,
    #"arr=(); echo ${#arr[@]}; printf '[%s]\n' "${arr[@]}"; for x in "${arr[@]}"; do echo never; done; arr+=(x); arr+=("y z" w); arr[5]=v; echo ${!arr[@]}; echo ${arr[@]}; unset 'arr[1]'; echo ${!arr[@]} ${#arr[@]}; for x in "${arr[@]}"; do echo "<$x>"; done"#,
    #"a=(1 "" 3); printf '[%s]' ${a[@]}; echo; printf '[%s]' "${a[@]}"; echo; printf '[%s]' "p${a[@]}s"; echo; i=1; echo ${a[i+1]} ${a[$i]:-empty} ${a[-1]} ${a[9]-unset} ${a[0]+set}; set -- "" ""; printf '<%s>' "$@"; echo"#,
    #"x=5; x[2]=y; echo $x ${x[@]} ${#x[@]}; declare -p x; a=(one two three); echo ${a[@]:1} ${a[@]:0:2} ${a[@]#t} ${a[1]:1} ${a[@]: -1}; unset a; echo ${#a[@]}; s=hello; echo ${s:1:3} ${s: -2}"#,
    #"f() { local -a l=(p "q r"); l+=(s); echo ${#l[@]} "${l[1]}"; local m; m=(1 2); echo ${m[1]}; }; f; echo "[${l[@]}][${m[@]}]"; declare -a g=(1 2); echo ${g[1]}; a=(1 2); a=x; echo ${a[@]}; a+=y; echo ${a[@]}; b=1; b+=2; echo $b"#,
    #"a=(1 2); export a; env | grep -c '^a='; bash -c 'echo "[${a[@]}]"'; for i in "${!a[@]}"; do echo "$i=${a[i]}"; done; b=([2]=x [5]=y z); echo ${!b[@]} ${b[@]}; echo $(( ${#b[@]} - 1 )); c=("${b[@]}" "$(echo new one)"); echo ${#c[@]} "${c[3]}""#,
    #"a=(x); echo "${a[-5]}"; echo rc$?; n=(1 2 3); echo "$n" "${n}" "${n[0]}"; b=([-5]=y 2); echo ${b[@]}; a[-5]=y; echo never"#,
    #"words=(*.txt notes/*); echo ${#words[@]} ${words[0]}; IFS=,; echo "${words[*]}"; unset IFS; w=("$(cat words.txt)"); echo ${#w[@]}; while read -r line; do lines+=("$line"); done < words.txt; echo ${#lines[@]} ${lines[4]}"#,
  ]

  /// awk's string functions and the program's own functions, against mawk.
  static let awkFunctionLines: [String] = [
    #"echo 'a.b.c' | awk '{ n = gsub(/\./, "[&]"); print n, $0; m = gsub("b", "\\&"); print m, $0; k = gsub(/c/, "\\\\&"); print k, $0 }'"#,
    #"awk 'BEGIN { s = "hello world"; print sub(/o/, "0", s), s; print gsub(/o/, "<&&>", s), s; t = "baaac"; print gsub(/a*/, "-", t), t; u = "abc"; print gsub(/x*/, "-", u), u; print sub(/z/, "y", u), u }'"#,
    #"awk 'BEGIN { print match("foobar", /o+b/), RSTART, RLENGTH; print match("x", /z/), RSTART, RLENGTH; print match("aXbX", "X"), RSTART }'; echo 'one two' | awk '{ gsub(/o/, "0", $2); print; print NF; sub(/^/, ">"); print }'"#,
    #"awk 'BEGIN { s = sprintf("%5.2f-%03d-%-4s|%s", 3.14159, 7, "ab", "z"); print s, length(s); print int(3.9), int(-3.9), int("12abc"), substr("hello", 2, 3), index("hello", "ll"), toupper("abc") tolower("DEF"), sqrt(16), exp(0), log(1) }'"#,
    #"awk 'function fact(n) { return n <= 1 ? 1 : n * fact(n - 1) } function fill(arr, n,   i) { for (i = 1; i <= n; i++) arr[i] = i * i; return n } BEGIN { print fact(10); k = fill(sq, 4); print k, sq[3], length(sq), i "|" }'"#,
    #"awk -F, 'function trim(s) { gsub(/^ +| +$/, "", s); return s } function add(a, k) { a[k]++ } NR > 1 { print "[" trim("  " $1 " ") "]", $1; add(seen, $1) } END { print seen["alpine"], seen["nginx"] }' data.csv"#,
    #"awk '{ gsub(/an/, "<&>", $1); print; print NF } function noop() { } END { noop(); print "done" }' words.txt; awk 'function f(x) { x = 5; return } BEGIN { y = 1; f(y); print y, f(y) "|" }'"#,
  ]

  /// sed's `a`, `i` and `c` in GNU's one-line and classic forms, with addresses, beside `-n`,
  /// `s///g`, `-E` and `-i`.
  static let sedTextLines: [String] = [
    "sed '2a after two' words.txt; sed '/cherry/i\\\nbefore cherry' words.txt; sed '$c\\\nthe last' words.txt; sed -n '/apple/p' words.txt",
    #"sed '1i\   lead' notes/todo.txt; sed '1i   lead' notes/todo.txt; sed 'a\\#nl1\\#nl2' notes/todo.txt; sed '1a foo\tbar\\n' notes/todo.txt | cat -A; sed -n '$a end; more' words.txt"#,
    #"sed 'a' words.txt; echo $?; sed '2d;2a never' words.txt; sed '/apple/c\\#nAPPLE' words.txt; sed -E 's/(an)+/X/g' words.txt; cp words.txt w2; sed -i '2a inserted' w2; sed -i 's/a/A/g' w2; cat w2"#,
  ]

  @Test(
    .enabled(if: TestSupport.tool("bash") != nil, "bash is not installed"),
    arguments: cases.indices)
  func matchesBash(index: Int) throws {
    let (ours, real) = Self.cases[index]
    let fixture = try ShellFixture()
    let expected = try #require(try fixture.real(real))
    let actual = fixture.ours(ours)
    #expect(actual.stdout == expected.stdout, "\(ours)")
    #expect(actual.status == expected.status, "\(ours): \(actual.stderr)")
  }
}

@Suite("Utilities whose real counterparts are optional packages")
struct OptionalToolOracleTests {
  static let cases: [(tool: String, line: String)] = [
    ("tree", "tree notes"),
    ("tree", "tree many"),
    ("jq", "echo '{\"b\":[1,2,{\"c\":null}],\"a\":\"x\"}' > d.json; jq . d.json"),
    ("jq", "echo '{\"b\":[1,2],\"a\":\"x\"}' | jq -c '.b'"),
    ("jq", "echo '{\"b\":[1,2],\"a\":\"x\"}' | jq -r '.a'"),
    ("jq", "echo '{\"b\":[1,2],\"a\":\"x\"}' | jq 'keys'"),
    ("jq", "echo '{\"b\":[1,2],\"a\":\"x\"}' | jq '.b | length'"),
    ("jq", "echo '[{\"n\":1},{\"n\":2}]' | jq '.[].n'"),
    (
      "jq",
      "echo '{\"RootFS\":{\"Layers\":[\"sha256:aa\",\"sha256:bb\"]}}' | jq -r '.RootFS.Layers[0]'"
    ),
    ("jq", #"echo '{"b":{"z":1,"y":[{"d":1,"c":2}]},"a":0}' | jq -S ."#),
    ("jq", #"echo '{"b":1,"a":{"x":2}}' | jq -r 'keys[]'; echo '{"b":1,"a":2}' | jq 'keys[0]'"#),
    ("jq", #"jq -n '.'; echo '{"a":false}' | jq -e '.a'; echo $?; echo '{}' | jq -e .; echo $?"#),
  ]

  @Test(
    .enabled(
      if: TestSupport.tool("bash") != nil && TestSupport.tool("jq") != nil
        && TestSupport.tool("tree") != nil, "bash, jq or tree is not installed"),
    arguments: cases.indices)
  func matchesTheRealTool(index: Int) throws {
    let (_, line) = Self.cases[index]
    let fixture = try ShellFixture()
    let expected = try #require(try fixture.real(line))
    let actual = fixture.ours(line)
    #expect(actual.stdout == expected.stdout, "\(line)")
    #expect(actual.status == expected.status, "\(line): \(actual.stderr)")
  }
}

@Suite("column and file against util-linux and file(1)")
struct ColumnAndFileOracleTests {
  static let lines: [String] = [
    #"printf 'a b c\nlonger x\n' | column -t; column -t -s, data.csv; column -t -s, -o ' | ' data.csv; printf 'a,,b\n' | column -t -s,"#,
    #"seq 30 | column; seq 12 | column -x -c 40; ls many | column; printf 'one\n\ntwo\n' | column -t"#,
    "file app.py Dockerfile script.sh notes link-to-app nosuch; echo $?; file -b words.txt; file -L link-to-app",
    #"printf '' > e; printf '{"a": [1, 2]}\n' > j.json; printf 'h\303\251llo\n' > u; printf 'x\r\ny\r\n' > c; printf 'no newline' > n; file -b e j.json u c n"#,
    #"gzip -k app.py; file -b app.py.gz | cut -d, -f1; printf '\001\002\003\200' > bin; file bin; printf '#!/usr/bin/env python3\nprint(1)\n' > p; printf '#!/bin/bash\n' > b; file p b"#,
    #"printf '\177ELF\002\001\001\000\000\000\000\000\000\000\000\000\002\000\076\000\001\000\000\000' > elf; file elf; mkdir d; ln -s nowhere dangling; file d dangling"#,
  ]

  @Test(
    .enabled(
      if: TestSupport.tool("bash") != nil && TestSupport.tool("column") != nil
        && TestSupport.tool("file") != nil, "bash, column or file is not installed"),
    arguments: lines.indices)
  func matchesTheRealTool(index: Int) throws {
    let line = Self.lines[index]
    let fixture = try ShellFixture()
    let expected = try #require(try fixture.real(line))
    let actual = fixture.ours(line)
    #expect(actual.stdout == expected.stdout, "\(line)")
    #expect(actual.status == expected.status, "\(line): \(actual.stderr)")
  }
}
