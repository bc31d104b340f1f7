//! `communique manpage -o DIR`: man pages, communique(1) and one per subcommand.

use std::path::PathBuf;

use clap::CommandFactory;
use communique::Error;

#[derive(clap::Args)]
pub struct Args {
    /// Folder for the pages (created if missing).
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,
}

pub fn run<C: CommandFactory>(args: Args) -> Result<Vec<PathBuf>, Error> {
    let write_err = |path: &PathBuf| {
        let path = path.clone();
        move |source| Error::Write { path, source }
    };
    std::fs::create_dir_all(&args.output).map_err(write_err(&args.output))?;
    let command = C::command();
    let mut written = Vec::new();
    let mut page = |cmd: clap::Command, name: String| -> Result<(), Error> {
        let path = args.output.join(format!("{name}.1"));
        let mut bytes = Vec::new();
        // clap keeps command names as &'static str; these few strings live until exit anyway.
        let static_name: &'static str = Box::leak(name.clone().into_boxed_str());
        clap_mangen::Man::new(cmd.name(static_name))
            .render(&mut bytes)
            .map_err(write_err(&path))?;
        communique::write_atomically(&path, &bytes)?;
        written.push(path);
        Ok(())
    };
    for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
        page(sub.clone(), format!("communique-{}", sub.get_name()))?;
    }
    page(command, "communique".to_string())?;
    Ok(written)
}
