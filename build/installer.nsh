; Uninstall: ask whether to remove the WhatsApp sessions, message archive and settings too.
; Kept by default; never asked (or removed) when an update runs the old uninstaller silently.
!macro customUnInstall
  ${ifNot} ${isUpdated}
    IfSilent keep_data
    MessageBox MB_YESNO|MB_ICONQUESTION|MB_DEFBUTTON2 \
      "Also delete your WA Bridge data (WhatsApp sessions, message archive, paired phones, settings)?$\r$\n$\r$\nChoose No to keep it for a later reinstall." \
      /SD IDNO IDNO keep_data
      ; The data is per user (Electron's userData under %APPDATA%), also after an "all users"
      ; install, whose uninstaller runs with $APPDATA pointing at ProgramData.
      ${if} $installMode == "all"
        SetShellVarContext current
      ${endif}
      RMDir /r "$APPDATA\WA Bridge"
      ${if} $installMode == "all"
        SetShellVarContext all
      ${endif}
    keep_data:
  ${endIf}
!macroend
