//! `communique completions SHELL`: a completion script on standard output.

use clap::CommandFactory;
use clap_complete::Shell;

#[derive(clap::Args)]
pub struct Args {
    /// bash, zsh, fish, powershell or elvish.
    pub shell: Shell,
}

pub fn run<C: CommandFactory>(args: Args) -> Result<(), communique::Error> {
    let mut command = C::command();
    clap_complete::generate(
        args.shell,
        &mut command,
        "communique",
        &mut std::io::stdout(),
    );
    Ok(())
}
