;;; eglot_check.el --- headless Emacs + eglot end-to-end check of `cachemount serve'  -*- lexical-binding: t -*-
;; Run by run-emacs-check.sh:
;;   LSP_SNIPPET=<README.md's eglot snippet> LSP_FILE=/path/Dockerfile LSP_OUT=/path/result.json \
;;     emacs --batch -l eglot_check.el
;; (not -Q: Debian's elpa-eglot and elpa-dockerfile-mode are activated at start-up).
;; Loads the snippet as an init file would, visits the Dockerfile (whose second line is a RUN whose
;; `sharing=lock' comes after non-ASCII characters, one outside the BMP, and whose third line is a
;; `pip install' without a cache mount: CM101, a warning unless the snippet's `CM101 "error"' reached
;; the server) and lets `eglot-ensure' start the server.  Checks: eglot manages the buffer,
;; diagnostics arrive, the snippet's severity, flymake's region lands exactly on `lock', hover,
;; the quick fix applied to the buffer, fresh diagnostics after the edit.
;; Writes a JSON report to LSP_OUT; exits 0 when every check passed, 1 otherwise.
(require 'json)
(require 'cl-lib)

(defvar cm-checks nil)
(defvar cm-failures nil)
(defvar cm-published nil "Every publishDiagnostics for the file, newest first, as the server sent it.")
(defvar cm-report nil)

(defun cm-check (name ok &optional detail)
  (push (list :name name :ok (if ok t :json-false)) cm-checks)
  (unless ok (push (format "%s: %S" name detail) cm-failures))
  ok)

(defun cm-wait (timeout pred)
  "Let Emacs run (process output, timers) until PRED holds or TIMEOUT seconds pass."
  (let ((deadline (+ (float-time) timeout)))
    (while (and (not (funcall pred)) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (funcall pred)))

(defun cm-find (diags code &optional word)
  (cl-find-if (lambda (d) (and (equal (plist-get d :code) code)
                               (or (null word) (string-match-p (regexp-quote word) (plist-get d :message)))))
              diags))

(defun cm-finish ()
  (with-temp-file (getenv "LSP_OUT")
    (insert (json-encode (append (list :checks (vconcat (reverse cm-checks))
                                       :failures (vconcat (reverse cm-failures)))
                                 cm-report))
            "\n"))
  (kill-emacs (if cm-failures 1 0)))

(let* ((file (expand-file-name (getenv "LSP_FILE")))
       (timeout (string-to-number (or (getenv "LSP_TIMEOUT") "30")))
       server diag cm101 uri)
  (setq cm-report (list :emacs emacs-version :file file))
  ;; what an interactive Emacs does at start-up, and batch mode does not: activate the installed
  ;; packages (Debian's elpa-eglot and elpa-dockerfile-mode), then load the user's init file
  (package-activate-all)
  (load (getenv "LSP_SNIPPET") nil t)   ; the README snippet, as in a user's init file
  (require 'eglot)   ; loaded by `eglot-ensure' anyway; here before the advice below is added
  (advice-add 'eglot-handle-notification :before
              (lambda (_server method &rest params)
                (when (and (eq method 'textDocument/publishDiagnostics)
                           (equal (plist-get params :uri) uri))
                  (push (append (plist-get params :diagnostics) nil) cm-published))))
  (find-file file)
  (setq uri (eglot--path-to-uri file))
  (setq cm-report (append cm-report (list :major_mode (symbol-name major-mode)
                                          :eglot (and (locate-library "eglot")
                                                      (file-name-nondirectory (directory-file-name (file-name-directory (locate-library "eglot"))))))))
  (cm-check "the Dockerfile is in dockerfile-mode" (eq major-mode 'dockerfile-mode) major-mode)
  ;; `eglot-ensure' connects when the command that visited the file ends: the command loop runs
  ;; `post-command-hook' then, and there is no command loop in batch mode.
  (run-hooks 'post-command-hook)
  (unless (cm-check "the README snippet started the server (eglot manages the buffer)"
                    (cm-wait timeout (lambda () (setq server (eglot-current-server)))))
    (cm-finish))
  (cm-check "diagnostics arrived" (cm-wait timeout (lambda () cm-published)))
  (setq diag (cm-find (car cm-published) "CM301" "sharing")
        cm101 (cm-find (car cm-published) "CM101"))
  (setq cm-report (append cm-report (list :diagnostics (vconcat (car cm-published)))))
  (cm-check "CM101 severity from the snippet reached the server (error, not the default warning)"
            (and cm101 (eql (plist-get cm101 :severity) 1)) cm101)
  (unless (cm-check "CM301 on sharing=lock" diag (car cm-published)) (cm-finish))
  ;; flymake's view of the same diagnostics, after eglot's position conversion
  (let (lock err)
    (cm-wait 5 (lambda ()
                 (dolist (d (flymake-diagnostics (point-min) (point-max)))
                   (when (string-match-p "sharing" (flymake-diagnostic-text d)) (setq lock d))
                   (when (string-match-p "pip install" (flymake-diagnostic-text d)) (setq err d)))
                 (and lock err)))
    (cm-check "flymake region is exactly `lock' (after non-ASCII chars)"
              (and lock (equal (buffer-substring-no-properties (flymake-diagnostic-beg lock) (flymake-diagnostic-end lock)) "lock"))
              (and lock (buffer-substring-no-properties (flymake-diagnostic-beg lock) (flymake-diagnostic-end lock))))
    (cm-check "flymake shows CM101 as an error" (and err (eq (flymake-diagnostic-type err) 'eglot-error))
              (and err (flymake-diagnostic-type err))))
  (let* ((doc (eglot--TextDocumentIdentifier))
         (range (plist-get diag :range))
         (hover (jsonrpc-request server :textDocument/hover (list :textDocument doc :position (plist-get range :start))))
         (text (let ((c (plist-get hover :contents))) (if (stringp c) c (plist-get c :value))))
         (actions (append (jsonrpc-request server :textDocument/codeAction
                                           (list :textDocument doc :range range
                                                 :context (list :diagnostics (vector diag))))
                          nil))
         (titles (mapcar (lambda (a) (plist-get a :title)) actions))
         (fix (cl-find "Change sharing=lock to sharing=locked" actions
                       :key (lambda (a) (plist-get a :title)) :test #'equal)))
    (setq cm-report (append cm-report (list :hover text :code_actions (vconcat titles))))
    (cm-check "hover explains the value" (and (stringp text) (string-match-p "sharing=lock" text)
                                              (string-match-p "shared" text))
              text)
    (cm-check "quick fix offered" (and fix (plist-get fix :edit)) titles)
    (when (and fix (plist-get fix :edit))
      (let ((count (length cm-published)) line)
        (eglot--apply-workspace-edit (plist-get fix :edit))
        (setq line (save-excursion (goto-char (point-min)) (forward-line 1)
                                   (buffer-substring-no-properties (line-beginning-position) (line-end-position))))
        (setq cm-report (append cm-report (list :fixed_line line)))
        (cm-check "quick fix edited the buffer" (string-match-p "sharing=locked" line) line)
        ;; eglot sends the change from an idle timer, and batch Emacs is never idle: run it now
        (cm-check "eglot has the change to send" eglot--change-idle-timer)
        (when eglot--change-idle-timer (timer-event-handler eglot--change-idle-timer))
        (cm-check "diagnostics refreshed after the edit"
                  (cm-wait timeout (lambda () (and (> (length cm-published) count)
                                                   (null (cm-find (car cm-published) "CM301" "sharing"))
                                                   (cm-find (car cm-published) "CM101"))))
                  (car cm-published))))))
  (ignore-errors (eglot-shutdown (eglot-current-server)))
  (cm-finish))
